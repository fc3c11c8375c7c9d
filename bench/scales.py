"""Every benchmark at two sizes of the county in one run, each figure side by side with its ratio.

    .venv/bin/python bench/scales.py                  # make bench: SQLite
    BENCH_ON=postgresql .venv/bin/python bench/scales.py   # make bench-pg

The question it answers: does a figure depend on the open cases and the month (ratio near 1) or
on the whole history (ratio near the growth of the data, 7.5)? Sizes: BENCH_SCALES (default
"200000,1500000": a few months of a real county, and three years of one at 500,000 cases a
year). Each size is a SQLite file var/bench/cases-<n>.sqlite3 built once by
`bianmin seed-demo --cases <n> --years <n / 500,000> --workers 2` (seed 2026; 1,500,000 over 3
years is what `--scale county` builds) and reused while its `.built` marker is there. On PostgreSQL each size is seeded the same
way once into its own server directory var/bench-pg-<n>/ (scripts/bench-postgres.sh), and the
scripts run on it as the previous ones left it (the write benchmarks add a few hundred cases).

Scripts: bench_http, bench_queries, bench_reports and bench_services (BENCH_SCRIPTS to choose),
each run once per size with its output shown as it comes; their figures (bench/_record.py) are
then set side by side. bench_workdays (the calendar, no cases) runs once. Prints, asserts nothing.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "200000,1500000").split(",") if n]
SCRIPTS = os.environ.get(
    "BENCH_SCRIPTS", "bench_http.py,bench_queries.py,bench_reports.py,bench_services.py"
).split(",")
ON = os.environ.get("BENCH_ON", "sqlite")
SEED = os.environ.get("BENCH_SEED", "2026")
# Every size at a real county's pace (about 500,000 cases a year): 200,000 cases are its last five
# months, 1,500,000 its last three years. Then the open cases and a month's cases are alike at
# both sizes and only the history grows, which is the question.
PER_YEAR = 500_000


def history(n: int) -> list[str]:
    return ["--seed", SEED, "--cases", str(n), "--years", f"{n / PER_YEAR:g}", "--workers", "2"]


def sqlite_file(n: int) -> Path:
    return ROOT / "var" / "bench" / f"cases-{n}.sqlite3"


def build(n: int) -> Path:
    """The SQLite data set of `n` cases, built unless a complete one is there."""
    db = sqlite_file(n)
    marker = db.with_suffix(".built")
    if db.exists() and marker.exists():
        return db
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "BIANMIN_VAR_DIR": str(db.parent / "var"),
        "DJANGO_SETTINGS_MODULE": "bianmin.settings",
    }
    print(f"building the data set of {n:,} cases in {db} ...", flush=True)
    started = time.monotonic()
    bianmin = str(BIN / "bianmin")
    subprocess.run([bianmin, "migrate", "-v", "0"], env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [bianmin, "seed-demo", *history(n)],
        env=env,
        check=True,
    )
    took = time.monotonic() - started
    marker.write_text(f"{n} cases, seed {SEED}, built in {took:.0f} s\n")
    print(f"built in {took / 60:.1f} min", flush=True)
    return db


def run(script: str, n: int, db: Path, figures: Path) -> None:
    env = {
        **os.environ,
        "BENCH_CASES": str(n),
        "BENCH_DB": str(db),
        "BENCH_COUNTY_DB": str(db),
        "BENCH_RECORD": str(figures),
        "BENCH_DIR": str(ROOT / "var" / f"bench-http-{ON}-{n}"),
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, str(ROOT / "bench" / script)]
    if ON == "postgresql":
        env["BENCH_PG_DIR"] = str(ROOT / "var" / f"bench-pg-{n}")
        env["BENCH_PG_KEEP"] = "1"
        command = [str(ROOT / "scripts" / "bench-postgres.sh"), *command]
    print(f"\n===== {script} at {n:,} cases ({ON}) =====", flush=True)
    figures.unlink(missing_ok=True)
    subprocess.run(command, env=env, cwd=ROOT / "bench", check=False)  # noqa: S603


def seed_postgres(n: int) -> None:
    """The same data set seeded straight into PostgreSQL (each worker COPYs its blocks), once per
    size into its own server directory; later runs find it there (`--if-empty`)."""
    env = {
        **os.environ,
        "BENCH_PG_DIR": str(ROOT / "var" / f"bench-pg-{n}"),
        "BENCH_PG_KEEP": "1",
        "BIANMIN_VAR_DIR": str(ROOT / "var" / f"bench-pg-{n}" / "var"),
    }
    bianmin = str(BIN / "bianmin")
    seed = " ".join(history(n))
    print(f"PostgreSQL data set of {n:,} cases (seeded once) ...", flush=True)
    subprocess.run(  # noqa: S603
        [
            str(ROOT / "scripts" / "bench-postgres.sh"),
            "sh",
            "-c",
            f"{bianmin} migrate -v 0 && {bianmin} seed-demo --if-empty {seed}",
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )


def keyed(figures: list[dict]) -> dict[tuple[str, int], dict]:
    """Figures by label with its numbers blanked (a label may name a count that grows with the
    data) and the how-many-th time that label came."""
    seen: dict[str, int] = {}
    out = {}
    for f in figures:
        label = re.sub(r"\d[\d,.]*", "#", f["label"])
        seen[label] = seen.get(label, 0) + 1
        out[(label, seen[label])] = f
    return out


def table(script: str, results: dict[int, Path]) -> None:
    by_scale = {
        n: keyed(json.loads(p.read_text())) if p.exists() else {} for n, p in results.items()
    }
    first, *rest = SCALES
    head = "".join(f"{n:>14,}" for n in SCALES)
    print(f"\n{script}{' ' * max(1, 62 - len(script))}{head}   ratio")
    for key, f in by_scale[first].items():
        values = [by_scale[n].get(key, {}).get("value") for n in SCALES]
        cells = "".join(
            f"{v:>12.1f}{f['unit'][:2]:<2}" if v is not None else f"{'-':>14}" for v in values
        )
        base, last = values[0], values[-1]
        ratio = f"{last / base:6.2f}x" if base and last is not None else "     -"
        print(f"  {f['label'][:60]:<60}{cells} {ratio}")
    if rest and not any(by_scale[n] for n in rest):
        print("  (no figures at the larger sizes: see the script's output above)")


def main() -> None:
    started = time.monotonic()
    dbs = {n: build(n) for n in SCALES} if ON == "sqlite" else dict.fromkeys(SCALES, Path())
    if ON == "postgresql":
        for n in SCALES:
            seed_postgres(n)
    out = ROOT / "var" / "bench" / f"figures-{ON}"
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[int, Path]] = {}
    for script in SCRIPTS:
        for n, db in dbs.items():
            figures = out / f"{script.removesuffix('.py')}-{n}.json"
            run(script, n, db, figures)
            results.setdefault(script, {})[n] = figures
    subprocess.run([sys.executable, str(ROOT / "bench" / "bench_workdays.py")], check=False)  # noqa: S603
    print(f"\n===== growth with history ({ON}): the same figures at {len(SCALES)} sizes =====")
    print("(ms unless marked /s, % or a count; ratio = last size / first size)")
    for script, per_scale in results.items():
        table(script, per_scale)
    print(f"\nwhole run {(time.monotonic() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
