"""Shared set-up for the benchmarks: the data set, timing and printing. Prints, never asserts.

Data set: `DATABASE_URL` when set (scripts/bench-postgres.sh: the county loaded by bench/pg_load.py;
scripts/with-postgres.sh: a throwaway server, seeded here), else a SQLite file kept
in var/bench/ and reused by later runs (`BENCH_DB` names another file). An empty database is
migrated and filled with `seed-demo --cases $BENCH_CASES` (default 50,000: the full county scale,
BENCH_CASES=200000, takes longer than the three minutes a default run should; see
docs/performance.md).
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = int(os.environ.get("BENCH_CASES", "50000"))
SEED = int(os.environ.get("BENCH_SEED", "2026"))
if not os.environ.get("DATABASE_URL"):
    db = Path(os.environ.get("BENCH_DB", ROOT / "var" / "bench" / f"cases-{CASES}.sqlite3"))
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("BIANMIN_VAR_DIR", str(db.parent / "var"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
# These benchmarks time the work itself: a queue read or a dashboard served from what is kept
# (cases/queue_cache.py, supervision/board_store.py) would time a file read. bench_http.py measures it as deployed.
os.environ.setdefault("BIANMIN_QUEUE_CACHE_SECONDS", "0")
os.environ.setdefault("BIANMIN_DASHBOARD_FRESH_SECONDS", "0")

import django  # noqa: E402
from _record import record  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402


def dataset() -> None:
    """Migrate and seed the benchmark database unless it already holds the demo."""
    from bianmin.orgs.models import Region

    call_command("migrate", verbosity=0)
    # A loaded database is used as it is, whatever BENCH_CASES says: never seed on top of it.
    if Region.objects.exists():
        return
    if connection.vendor == "postgresql":
        print(
            "empty PostgreSQL database: seeding it here; for the county scale load the SQLite county"
            " instead: scripts/bench-postgres.sh .venv/bin/python bench/pg_load.py",
            flush=True,
        )
    started = time.monotonic()
    print(f"building the data set: demo county + {CASES:,} cases (seed {SEED}) ...", flush=True)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--seed", str(SEED), "--cases", str(CASES), stdout=quiet)
    print(f"  built in {time.monotonic() - started:.0f} s", flush=True)


def describe() -> str:
    from bianmin.cases.models import Case

    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as c:
            c.execute(
                "SELECT current_setting('server_version'), current_setting('shared_buffers'), "
                "current_setting('work_mem'), current_setting('jit'), current_setting('synchronous_commit')"
            )
            v, buffers, work_mem, jit, sync = c.fetchone()
            version = (
                f"PostgreSQL {v} (shared_buffers {buffers}, work_mem {work_mem}, jit {jit}, "
                f"synchronous_commit {sync})"
            )
    mem = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(next(x for x in meminfo if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{version}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} cores{mem}, load {os.getloadavg()[0]:.1f}; "
        f"{Case.objects.count():,} cases"
    )


def timed(fn, repeat: int = 10, warm: int = 1) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs (after `warm` unmeasured ones), last result."""
    result = None
    for _ in range(warm):
        result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def queries(fn) -> int:
    """How many SQL statements `fn` runs."""
    from django.test.utils import CaptureQueriesContext

    ctx = CaptureQueriesContext(connection)
    with ctx:
        fn()
    n = len(ctx)
    reset_queries()
    return n


# The 3x target (issue 8) is for heavy queries: those whose hand-written SQL takes at least this
# long. Below it the ratio mostly measures the ORM's cost of building a query (a scoped filter
# with its subqueries takes Django 2-6 ms to build and compile, profiled) and converting its
# rows, so such rows are marked "light" with the absolute difference.
HEAVY_MS = 5.0


def row(label: str, orm_ms: float, sql_ms: float | None = None, note: str = "") -> None:
    record(label, orm_ms)
    if sql_ms is None:
        print(f"  {label:<46} {orm_ms:>10.1f} ms  {note}")
    else:
        ratio = orm_ms / sql_ms if sql_ms else float("inf")
        light = f"(light: {orm_ms - sql_ms:+.1f} ms)  " if sql_ms < HEAVY_MS else ""
        print(
            f"  {label:<46} {orm_ms:>10.1f} ms  raw SQL {sql_ms:>8.1f} ms  ORM/SQL {ratio:>5.2f}x  "
            f"{light}{note}"
        )


def user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("staff__unit__region").get(username=username)
