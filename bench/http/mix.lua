-- wrk script: replay a request mix from a file, count statuses, print one JSON line at the end.
-- Usage: wrk -t2 -c50 -d60s -s bench/http/mix.lua http://127.0.0.1:PORT -- MIXFILE [MIN_MS MAX_MS]
-- MIXFILE lines: METHOD<TAB>PATH[<TAB>HEADER<TAB>VALUE]
--
-- Each connection is one user. With MIN_MS/MAX_MS it waits a think time drawn uniformly from
-- [MIN_MS, MAX_MS] before every request, the first included (wrk's delay(): the wait is not part
-- of the measured latency), so N connections are N users reading pages, not N clients firing
-- requests back to back. Without them (or 0 0) it is a closed-loop saturation test.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for line in io.lines(args[1]) do
    local method, path, hname, hval = line:match("^(%S+)\t(%S+)\t?([^\t]*)\t?(.*)$")
    local headers = { ["Accept"] = "text/html,application/json" }
    if hname ~= nil and hname ~= "" then
      headers[hname] = hval
    end
    requests[#requests + 1] = wrk.format(method, path, headers)
  end
  think_min = tonumber(args[2] or "0") or 0
  think_max = tonumber(args[3] or "0") or 0
  math.randomseed(os.time() + (id or 1) * 7919)
  -- Each thread starts at its own place in the mix, so connections do not move in lockstep.
  counter = (id or 1) * math.floor(#requests / 7)
  statuses = {}
end

function delay()
  if think_max <= 0 then
    return 0
  end
  return math.random(think_min, think_max)
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    if s then
      for code, n in pairs(s) do
        all[code] = (all[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(all) do
    parts[#parts + 1] = string.format('"%d": %d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean, table.concat(parts, ", ")))
end
