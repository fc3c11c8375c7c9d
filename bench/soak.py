"""Sustained load: the HTTP mix for half an hour at 50 users, then a spike of five times as many.

    .venv/bin/python bench/soak.py          # make soak; SQLite county file, as bench_http.py
    scripts/bench-postgres.sh .venv/bin/python bench/soak.py

Same topology, data and request mix as bench/bench_http.py (nginx -> gunicorn sync workers, each
user waiting 1-3 s before every request). The soak runs SOAK_MINUTES (30) one-minute slices at
SOAK_USERS (50) and after each prints the slice's rate, latency and errors and the resident memory
of every process serving it (gunicorn's master and each worker by pid, nginx), so a leak shows as
a column that keeps climbing; the summary sets each process's memory after the first slices
against the end. Then the spike: SOAK_SPIKE (5) times the users for a minute, and the base load
again for two, to see it recover. Prints, asserts nothing.
"""

import os
import subprocess
import time
from pathlib import Path

import bench_http as http

from testing import liveserver as live
from testing import nginx

MINUTES = int(os.environ.get("SOAK_MINUTES", "30"))
USERS = int(os.environ.get("SOAK_USERS", "50"))
SPIKE = int(os.environ.get("SOAK_SPIKE", "5"))
SLICE = int(os.environ.get("SOAK_SLICE_SECONDS", "60"))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(  # noqa: S603
        ["ps", "-o", "pid=", "--ppid", str(pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return sorted(int(p) for p in out.split())


def processes(server: live.Server, proxy: nginx.Proxy | None) -> dict[str, int]:
    found = {"gunicorn master": server.proc.pid}
    for i, pid in enumerate(children(server.proc.pid), 1):
        found[f"worker {i} ({pid})"] = pid
    if proxy and proxy.proc:
        found["nginx master"] = proxy.proc.pid
        for i, pid in enumerate(children(proxy.proc.pid), 1):
            found[f"nginx worker {i}"] = pid
    return found


def line(label: str, r: dict, memory: dict[str, float]) -> str:
    secs = r["duration_us"] / 1e6
    errors = sum(r["errors"].values())
    bad = sum(n for code, n in r["statuses"].items() if not code.startswith("2"))
    mem = " ".join(f"{v:6.1f}" for v in memory.values())
    return (
        f"{label:<16} {r['requests'] / secs:7.1f} {r['p50'] / 1000:8.1f} {r['p95'] / 1000:8.1f} "
        f"{r['max'] / 1000:8.1f} {errors:>6} {bad:>7}   {mem}"
    )


def main() -> None:
    wrk = http.ensure_wrk()
    nginx_bin = nginx.ensure_nginx() if http.PROXY == "nginx" else None
    workdir = Path(os.environ.get("BENCH_DIR", http.ROOT / "var" / "bench-soak"))
    workdir.mkdir(parents=True, exist_ok=True)
    env, county = http.served_env(workdir, proxied=bool(nginx_bin))
    print(f"== soak: {http.describe(env)}; {http.WORKERS} gunicorn sync workers", flush=True)
    data = http.prepare(workdir, env, county=county)
    lines = http.mix_lines(data)
    mixfile = workdir / "mix.tsv"
    mixfile.write_text("\n".join(lines) + "\n")
    server = live.Server(
        env, workers=http.WORKERS, threads=http.THREADS, log=workdir / "gunicorn.log"
    )
    proxy = None
    server.start()
    think = (http.THINK_MS[0], http.THINK_MS[-1])
    started = time.monotonic()
    try:
        port = server.port
        if nginx_bin:
            proxy = nginx.Proxy(server.port, workdir / "nginx", binary=nginx_bin).start()
            port = proxy.port
        http.check_mix(port, lines)
        procs = processes(server, proxy)
        print(
            f"{data['total_cases']:,} cases; {USERS} users waiting {think[0]}-{think[1]} ms, "
            f"{MINUTES} slices of {SLICE} s, then {SPIKE * USERS} users for {SLICE} s"
        )
        head = "req/s   p50 ms   p95 ms   max ms errors non-2xx   resident MB: "
        print(f"{'slice':<16} {head}" + " | ".join(procs), flush=True)
        history: list[dict[str, float]] = []
        for minute in range(1, MINUTES + 1):
            r = http.run_wrk(wrk, port, USERS, SLICE, mixfile, think)
            memory = {name: rss_mb(pid) for name, pid in procs.items()}
            history.append(memory)
            print(line(f"soak {minute:>3}", r, memory) + f"  [{http.load()}]", flush=True)
        for label, users, seconds in (
            (f"spike x{SPIKE}", USERS * SPIKE, SLICE),
            ("after 1", USERS, SLICE),
            ("after 2", USERS, SLICE),
        ):
            r = http.run_wrk(wrk, port, users, seconds, mixfile, think)
            memory = {name: rss_mb(pid) for name, pid in procs.items()}
            print(line(label, r, memory) + f"  [{http.load()}]", flush=True)
        alive = processes(server, proxy)
        if set(alive.values()) != set(procs.values()):
            print(f"processes changed during the run: {procs} -> {alive}")
        if len(history) >= 4:
            early = history[len(history) // 3 - 1]
            print(f"\nresident memory, slice {len(history) // 3} -> slice {len(history)} (MB):")
            for name in procs:
                a, b = early[name], history[-1][name]
                growth = (b - a) / a * 100 if a else 0.0
                print(f"  {name:<22} {a:8.1f} -> {b:8.1f}  ({growth:+.1f} %)")
    finally:
        if proxy:
            proxy.stop()
        server.stop()
    print(f"whole run {(time.monotonic() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
