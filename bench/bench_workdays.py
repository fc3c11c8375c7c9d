"""Working-day arithmetic throughput on the real calendar tables (prints figures, asserts nothing)."""

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BIANMIN_VAR_DIR", tempfile.mkdtemp(prefix="bianmin-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bianmin.workdays import calendar  # noqa: E402


def rate(label: str, fn, n: int) -> None:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    took = time.perf_counter() - start
    print(f"{label:<48} {n / took:>12,.0f} /s   ({took * 1e6 / n:,.1f} µs each)")


def main() -> None:
    call_command("migrate", verbosity=0)
    base = dt.date(2025, 1, 1)
    calendar.snapshot()
    # The arithmetic runs on the in-memory snapshot; the database only feeds the snapshot.
    print(
        f"bench_workdays on Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, calendar from {connection.vendor}"
    )
    rate(
        "add_workdays(start, 20)",
        lambda i: calendar.add_workdays(base + dt.timedelta(days=i % 365), 20),
        20000,
    )
    rate(
        "add_workdays(start, 20) with 2 pauses",
        lambda i: calendar.add_workdays(
            base + dt.timedelta(days=i % 365),
            20,
            [
                (base + dt.timedelta(days=i % 365 + 3), base + dt.timedelta(days=i % 365 + 6)),
                (base + dt.timedelta(days=i % 365 + 10), base + dt.timedelta(days=i % 365 + 12)),
            ],
        ),
        20000,
    )
    rate(
        "workdays_between(start, start+60d)",
        lambda i: calendar.workdays_between(
            base + dt.timedelta(days=i % 365), base + dt.timedelta(days=i % 365 + 60)
        ),
        20000,
    )


if __name__ == "__main__":
    main()
