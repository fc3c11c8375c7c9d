"""HTTP load test: nginx -> gunicorn on loopback ports, a realistic request mix, 50 and 200 users.

Prints requests per second, p50/p95/p99 latency and error counts per level, a closed-loop
saturation line, and the median of each main page one request at a time. Asserts nothing; stops
itself, and leaves no nginx or gunicorn behind.

Topology: the production one of docs/operations.md sections 4-5, Debian's nginx (installed with
apt-get when missing, without starting the system nginx) in front of gunicorn's sync workers.
Every request (the wrk levels, the saturation line, the one-at-a-time medians) goes through
nginx. Why not straight to gunicorn: a sync worker accepts a connection and then blocks reading
it until a request arrives, so each user holding a keep-alive connection idle for its think time
parks a whole worker. Straight to 4 sync workers, 50 users saw p50 228 ms / p95 1,336 ms while
gunicorn's own access log said those requests took median 17 ms / p95 58 ms; with nginx in front
(which holds the idle client connections and hands gunicorn only complete requests, as gunicorn's
docs require for sync workers) the same mix gave p50 26 ms / p95 66 ms, 0 errors. nginx runs with
one worker process, access log off, keepalive_timeout 75s, Host / X-Forwarded-For /
X-Forwarded-Proto as in production, gunicorn trusting it through BIANMIN_TRUSTED_PROXIES, and no
limit_req (every bench client is 127.0.0.1); its config, pid and logs are under BENCH_DIR/nginx.
BENCH_PROXY=none talks straight to gunicorn as the bench did before (to see the parking effect).

Data, first found wins:
1. BENCH_DATABASE_URL (or DATABASE_URL, e.g. under scripts/with-postgres.sh): used as it is.
2. The county data set var/bench/cases-200000.sqlite3 (BENCH_COUNTY_DB names another file): a
   private copy is made under BENCH_DIR (default var/bench-http/county.sqlite3) and reused while
   the source is unchanged; the source is never written. Build it once with
   `bianmin seed-demo --scale county` into that file (DATABASE_URL=sqlite:///var/bench/
   cases-200000.sqlite3), about 200,000 cases over three years.
3. Otherwise the demo county plus BENCH_CASES cases (default 3000) opened through the services.

Users: each wrk connection is one user who waits a think time drawn uniformly from
BENCH_THINK_MS (default "1000,3000": 1-3 s) before every request (wrk's delay(); the wait is not
in the latency). So 50 users ask for about 25 pages a second between them; latency is what one
user sees. The saturation line (BENCH_SATURATION connections, default 16, no think time) is a
closed loop: it measures the box's capacity, not a number of users.

Mix (weights): staff API queues 10 and list 5, staff API case 10, staff queue page 10, case
page 10, public status lookup with a valid number and phone tail 15 (wrong pairs are rate limited
per address, and every client here is 127.0.0.1), guide list 10, guide page 15, item API list 5
and item 10. Staff are the window staff of every township centre and the agents of the three
busiest village stations of each township (bench/http/prepare.py); case pages and case API calls
are made by the staff of the unit that took the case in, on its real numbers (two thirds
unfinished).

Environment: BENCH_USERS (default "50,200"), BENCH_SECONDS per level (60), BENCH_THINK_MS
("1000,3000"), BENCH_SATURATION (16; 0 skips), BENCH_SATURATION_SECONDS (20), BENCH_WORKERS
gunicorn sync workers (4), BENCH_THREADS per worker (1), BENCH_PROXY ("nginx"; "none": wrk
straight to gunicorn), BENCH_CASES (3000, fallback only), BENCH_DIR.
"""

import http.client
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _record import record  # noqa: E402

from testing import liveserver as live  # noqa: E402
from testing import nginx  # noqa: E402

HERE = ROOT / "bench" / "http"
USERS = [int(u) for u in os.environ.get("BENCH_USERS", "50,200").split(",") if u]
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
THINK_MS = [int(x) for x in os.environ.get("BENCH_THINK_MS", "1000,3000").split(",")]
SATURATION = int(os.environ.get("BENCH_SATURATION", "16"))
SATURATION_SECONDS = int(os.environ.get("BENCH_SATURATION_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
CASES = int(os.environ.get("BENCH_CASES", "3000"))
PROXY = os.environ.get("BENCH_PROXY", "nginx").strip().lower() or "nginx"
if PROXY not in ("nginx", "none"):
    raise SystemExit(f"BENCH_PROXY must be nginx or none, not {PROXY!r}")
COUNTY_DB = Path(os.environ.get("BENCH_COUNTY_DB", ROOT / "var" / "bench" / "cases-200000.sqlite3"))


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing wrk from Debian ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)  # noqa: S603
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)  # noqa: S603
    return shutil.which("wrk") or "wrk"


def county_copy(workdir: Path) -> Path:
    """A private copy of the county data set, made again only when the source changed."""
    copy = workdir / "county.sqlite3"
    marker = workdir / "county.source"
    stamp = f"{COUNTY_DB} {COUNTY_DB.stat().st_size} {COUNTY_DB.stat().st_mtime_ns}"
    if copy.exists() and marker.exists() and marker.read_text() == stamp:
        return copy
    print(f"copying {COUNTY_DB} to {copy} ...", flush=True)
    for stale in workdir.glob("county.sqlite3*"):
        stale.unlink()
    subprocess.run(["cp", "--reflink=auto", str(COUNTY_DB), str(copy)], check=True)  # noqa: S603, S607
    marker.write_text(stamp)
    return copy


def database_url(workdir: Path) -> tuple[str, bool]:
    """(database URL, whether it holds the county data set already)."""
    given = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if given:
        return given, False
    if COUNTY_DB.exists():
        return f"sqlite:///{county_copy(workdir)}", True
    return f"sqlite:///{workdir / 'db.sqlite3'}", False


def prepare(workdir: Path, env: dict, *, county: bool) -> dict:
    started = time.monotonic()
    live.bianmin("migrate", "--noinput", "-v", "0", env=env, timeout=1800)
    seed = ["seed-demo", "--if-empty"]
    if os.environ.get("BENCH_SCALE"):
        seed += ["--scale", os.environ["BENCH_SCALE"]]
    live.bianmin(*seed, env=env, timeout=3600)
    out = workdir / "mix-inputs.json"
    proc = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE / "prepare.py"), str(out), str(0 if county else CASES)],
        env=env,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit("preparing the bench data failed")
    print(f"data ready in {time.monotonic() - started:.0f} s", flush=True)
    return json.loads(out.read_text())


WEIGHTS = {
    "api_queue": 10,
    "api_list": 5,
    "api_case": 10,
    "page_queue": 10,
    "page_case": 10,
    "public_status": 15,
    "guide_list": 10,
    "guide_page": 15,
    "item_list": 5,
    "item_api": 10,
}


def mix_lines(data: dict, n: int = 4000) -> list[str]:
    rng = random.Random(8)  # noqa: S311
    accounts = data["accounts"]
    units = list(accounts)
    cases = [c for c in data["cases"] if c["unit"] in accounts]
    items = data["items"]
    kinds = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=n)
    lines = []
    for kind in kinds:
        acc = accounts[rng.choice(units)]
        case = rng.choice(cases)
        owner = accounts[case["unit"]]
        bearer = f"Authorization\tBearer {acc['token']}"
        if kind == "api_queue":
            lines.append(f"GET\t/api/v1/cases/queues\t{bearer}")
        elif kind == "api_list":
            lines.append(f"GET\t/api/v1/cases?limit=20\t{bearer}")
        elif kind == "api_case":
            lines.append(
                f"GET\t/api/v1/cases/{case['number']}\tAuthorization\tBearer {owner['token']}"
            )
        elif kind == "page_queue":
            lines.append(f"GET\t/cases/queues/\tCookie\t{acc['cookie']}")
        elif kind == "page_case":
            lines.append(f"GET\t/cases/{case['number']}/\tCookie\t{owner['cookie']}")
        elif kind == "public_status":
            lines.append(f"GET\t/api/v1/public/cases/{case['number']}?phone_tail={case['tail']}")
        elif kind == "guide_list":
            # Mostly the first page; some readers page on through the catalogue.
            page = rng.choice([1, 1, 1, 2, 3, 5])
            lines.append("GET\t/guides/" + (f"?page={page}" if page > 1 else ""))
        elif kind == "guide_page":
            lines.append(f"GET\t/guides/{rng.choice(items)}/")
        elif kind == "item_list":
            lines.append("GET\t/api/v1/items?limit=20")
        else:
            lines.append(f"GET\t/api/v1/items/{rng.choice(items)}")
    return lines


def check_mix(port: int, lines: list[str]) -> None:
    """One request of each kind before the load: a broken route would make the figures lie."""
    seen = set()
    for line in lines:
        method, path, *header = line.split("\t")
        key = path.split("?")[0].rsplit("/", 2)[0]
        if key in seen:
            continue
        seen.add(key)
        headers = {header[0]: header[1]} if header else {}
        status, body = live.request(port, method, path, headers=headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")


def sequential(port: int, path: str, headers: dict, n: int = 60) -> tuple[float, float]:
    """Median and p95 in ms of `n` requests one after another on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    took = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            took.append((time.perf_counter() - t) * 1000)
            if resp.status != 200:
                raise SystemExit(f"{path} answered {resp.status}")
    finally:
        conn.close()
    took.sort()
    return statistics.median(took), took[int(len(took) * 0.95) - 1]


def run_wrk(
    wrk: str, port: int, users: int, seconds: int, mixfile: Path, think: tuple[int, int] = (0, 0)
) -> dict:
    threads = min(2, users)
    args = [wrk, "-t", str(threads), "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s"]
    args += ["-s", str(HERE / "mix.lua"), f"http://127.0.0.1:{port}", "--", str(mixfile)]
    args += [str(think[0]), str(think[1])]
    proc = subprocess.run(  # noqa: S603
        args, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON ") :])
    raise SystemExit(f"wrk failed: {proc.stdout}\n{proc.stderr}")


def drain(port: int, limit: float = 90) -> None:
    """Wait until the server has worked off the previous level: gunicorn goes on answering the
    requests queued by connections wrk has already closed, which would land on the next level."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        t = time.perf_counter()
        live.request(port, "GET", "/api/v1/items?limit=1", timeout=limit)
        if time.perf_counter() - t < 0.2:
            return
        time.sleep(1)


def load_line(label: str, r: dict) -> str:
    secs = r["duration_us"] / 1e6
    errors = sum(r["errors"].values())
    bad = sum(n for code, n in r["statuses"].items() if not code.startswith("2"))
    record(f"{label}: requests/s", r["requests"] / secs, "/s")
    for q in ("p50", "p95", "p99"):
        record(f"{label}: {q}", r[q] / 1000)
    record(f"{label}: errors and non-2xx", errors + bad, "")
    return (
        f"{label:<22} {r['requests'] / secs:8.1f} {r['p50'] / 1000:9.1f} "
        f"{r['p95'] / 1000:8.1f} {r['p99'] / 1000:8.1f} {r['max'] / 1000:8.1f} "
        f"{r['requests']:>9} {errors:>7} {bad:>7}   {r['errors']} statuses {r['statuses']}"
    )


def describe(env: dict) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        mem_gib = f"{int(mem) / 1024 / 1024:.0f} GiB"
    except OSError:
        mem_gib = "?"
    db = env["DATABASE_URL"].split(":", 1)[0]
    return f"{os.cpu_count()} CPU ({cpu}), {mem_gib} RAM, Python {platform.python_version()}, {db}"


def served_env(workdir: Path, *, proxied: bool) -> tuple[dict, bool]:
    """The app's environment on the bench data, and whether that is the county data set."""
    url, county = database_url(workdir)
    env = live.app_env(
        workdir,
        database_url=url,
        DJANGO_SETTINGS_MODULE="bianmin.settings",
        DB_CONN_MAX_AGE="60",
        BIANMIN_LOG_LEVEL="WARNING",
    )
    if proxied:
        # As production (docs/operations.md section 3): the client address comes from nginx.
        env["BIANMIN_TRUSTED_PROXIES"] = "127.0.0.1"
    return env, county


def main() -> None:
    wrk = ensure_wrk()
    nginx_bin = nginx.ensure_nginx() if PROXY == "nginx" else None
    workdir = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench-http"))
    workdir.mkdir(parents=True, exist_ok=True)
    env, county = served_env(workdir, proxied=bool(nginx_bin))
    app = f"gunicorn {WORKERS} sync workers x {THREADS} thread{'s' if THREADS > 1 else ''}"
    if nginx_bin:
        topology = f"nginx {nginx.version(nginx_bin)} -> {app}"
    else:
        topology = f"{app}, no proxy (BENCH_PROXY=none)"
    print(f"== HTTP load test: {topology}; {describe(env)}", flush=True)
    data = prepare(workdir, env, county=county)
    lines = mix_lines(data)
    mixfile = workdir / "mix.tsv"
    mixfile.write_text("\n".join(lines) + "\n")

    server = live.Server(env, workers=WORKERS, threads=THREADS, log=workdir / "gunicorn.log")
    proxy = None
    server.start()
    try:
        port = server.port
        where = f"gunicorn on 127.0.0.1:{server.port}"
        if nginx_bin:
            proxy = nginx.Proxy(server.port, workdir / "nginx", binary=nginx_bin).start()
            port = proxy.port
            where = f"nginx on 127.0.0.1:{port} -> {where}"
        check_mix(port, lines)
        accounts = data["accounts"]
        township = next(a for a in accounts.values() if a["kind"] == "township_centre")
        case = next(c for c in data["cases"] if c["open"] and c["unit"] in accounts)
        owner = accounts[case["unit"]]
        print(
            f"{where}; {data['total_cases']:,} cases; {len(accounts)} staff accounts; "
            f"mix of {len(lines)} requests",
            flush=True,
        )
        run_wrk(wrk, port, 8, 5, mixfile)  # warm-up, not reported
        drain(port)
        print(f"\none request at a time ({load()})")
        print(f"{'request':<44} {'median ms':>9} {'p95 ms':>8}")
        bearer = {"Authorization": f"Bearer {township['token']}"}
        for label, path, headers in [
            ("staff queue page /cases/queues/", "/cases/queues/", {"Cookie": township["cookie"]}),
            ("case page /cases/<n>/", f"/cases/{case['number']}/", {"Cookie": owner["cookie"]}),
            ("API queues /api/v1/cases/queues", "/api/v1/cases/queues", bearer),
            (
                "API case /api/v1/cases/<n>",
                f"/api/v1/cases/{case['number']}",
                {"Authorization": f"Bearer {owner['token']}"},
            ),
            (
                "public status lookup (API)",
                f"/api/v1/public/cases/{case['number']}?phone_tail={case['tail']}",
                {},
            ),
            ("guide list /guides/", "/guides/", {}),
            ("guide page /guides/<code>/", f"/guides/{data['items'][0]}/", {}),
        ]:
            med, p95 = sequential(port, path, headers)
            record(f"{label}: median", med)
            print(f"{label:<44} {med:9.1f} {p95:8.1f}", flush=True)

        think = (THINK_MS[0], THINK_MS[-1])
        print(
            f"\nmixed load: users = connections, each waiting {think[0]}-{think[1]} ms "
            f"(uniform) before every request; {SECONDS} s per level"
        )
        head = "req/s     p50 ms   p95 ms   p99 ms   max ms  requests  errors  non-2xx"
        print(f"{'level':<22} {head}")
        for users in USERS:
            drain(port)
            r = run_wrk(wrk, port, users, SECONDS, mixfile, think)
            print(load_line(f"{users} users", r) + f"  [{load()}]", flush=True)
        if SATURATION:
            drain(port)
            r = run_wrk(wrk, port, SATURATION, SATURATION_SECONDS, mixfile)
            label = f"saturation {SATURATION} conn"
            print(
                load_line(label, r) + f"  [closed loop, no think time, {SATURATION_SECONDS} s; "
                f"{load()}]",
                flush=True,
            )
    finally:
        if proxy:
            proxy.stop()
        server.stop()
    if SATURATION:
        mix_rate = r["requests"] / (r["duration_us"] / 1e6)
        ceiling(wrk, nginx_bin, workdir, env, mix_rate)


def ceiling(wrk: str, nginx_bin: str | None, workdir: Path, env: dict, mix_rate: float) -> None:
    """The same closed loop against bare Django (testing/ceiling.py: a constant, no middleware,
    no database) through the same nginx and the same gunicorn workers: the most this box serves,
    and the mix's share of it."""
    mixfile = workdir / "ceiling.tsv"
    mixfile.write_text("GET\t/\n")
    server = live.Server(
        env,
        workers=WORKERS,
        threads=THREADS,
        log=workdir / "gunicorn-ceiling.log",
        app="testing.ceiling:application",
    )
    proxy = None
    server.start()
    try:
        port = server.port
        if nginx_bin:
            proxy = nginx.Proxy(port, workdir / "nginx-ceiling", binary=nginx_bin).start()
            port = proxy.port
        run_wrk(wrk, port, 8, 3, mixfile)  # warm-up, not reported
        r = run_wrk(wrk, port, SATURATION, SATURATION_SECONDS, mixfile)
        print(load_line(f"bare Django {SATURATION} conn", r) + f"  [{load()}]", flush=True)
        bare = r["requests"] / (r["duration_us"] / 1e6)
        record("mix throughput / bare-Django ceiling", 100 * mix_rate / bare, "%")
        print(
            f"mix at saturation {mix_rate:.1f} req/s = {100 * mix_rate / bare:.1f} % of the "
            f"bare-Django ceiling {bare:.1f} req/s (same nginx, same {WORKERS} workers)",
            flush=True,
        )
    finally:
        if proxy:
            proxy.stop()
        server.stop()


if __name__ == "__main__":
    main()
