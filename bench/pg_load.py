"""Fill a PostgreSQL database (DATABASE_URL) from the SQLite county file, fast, and check the copy.

    scripts/bench-postgres.sh .venv/bin/python bench/pg_load.py [--if-empty | --replace] [SOURCE]

SOURCE defaults to var/bench/cases-200000.sqlite3 and is opened read-only. Steps, the way
pg_restore does it: migrate the empty database to exactly the migrations the SQLite file has
applied; in one transaction, empty every table (data migrations seed some), drop the secondary
indexes and the foreign keys, COPY every table in dependency order (psycopg 3 `copy` +
`write_row`), rebuild the indexes and re-add the foreign keys (PostgreSQL validates them over the
whole table in one pass); reset the identity sequences; VACUUM ANALYZE (statistics and the
visibility map that index-only scans need); then migrate forward to the working tree's
migrations, as an upgrade would. Verified: row counts per table equal, `bianmin audit verify`
(the hash chains survive the type conversion). Prints the time of each step. Finally the database
is copied to the template database "county", from which scripts/bench-postgres.sh gives each run
a fresh copy (the benchmarks write).

Types: SQLite keeps booleans as 0/1, JSON as text, datetimes as naive UTC text, durations as
microseconds; each value is converted by the PostgreSQL column type it goes into (booleans to
bool, intervals to timedelta, JSON passed as its text, timestamps read in a UTC session).
"""

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    raise SystemExit(
        "DATABASE_URL must name a PostgreSQL database (run under scripts/bench-postgres.sh)"
    )

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from psycopg import sql  # noqa: E402

SKIP = {"sqlite_sequence", "django_migrations"}


class Clock:
    def __init__(self):
        self.start = self.last = time.monotonic()

    def step(self, label: str) -> None:
        now = time.monotonic()
        print(f"  {label:<52} {now - self.last:>7.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.monotonic() - self.start


def pg_rows(query: str, params=()) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(query, params)
        return c.fetchall()


def loaded() -> int | None:
    """Cases in the database, or None when it holds no loaded county (no tables, or no regions)."""
    tables = set(connection.introspection.table_names())
    if "orgs_region" not in tables or not pg_rows("SELECT 1 FROM orgs_region LIMIT 1"):
        return None
    return pg_rows("SELECT count(*) FROM cases_case")[0][0]


def migrate_to(src: sqlite3.Connection) -> int:
    """Migrate PostgreSQL to the migrations the SQLite file has applied, no further; so both
    hold the same tables and columns. Returns how many migrations ran."""
    applied = set(src.execute("SELECT app, name FROM django_migrations").fetchall())
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    unknown = sorted(applied - set(graph.nodes))
    if unknown:
        raise SystemExit(f"the SQLite file has migrations this tree does not know: {unknown}")
    # The last applied migration of each app: none of its children (same app) is applied.
    targets = [
        key
        for key in applied
        if not any(
            child.key in applied for child in graph.node_map[key].children if child.key[0] == key[0]
        )
    ]
    plan = executor.migration_plan(targets)
    executor.migrate(targets, plan=plan)
    return len(plan)


def dependency_order(tables: list[str], fks: list[tuple[str, str, str, str]]) -> list[str]:
    """Tables sorted so that every table comes after the tables its foreign keys point at."""
    needs = {t: set() for t in tables}
    for child, _name, _definition, parent in fks:
        if child in needs and parent in needs and parent != child:
            needs[child].add(parent)
    done, order = set(), []
    while needs:
        ready = sorted(t for t, deps in needs.items() if deps <= done)
        if not ready:  # a cycle: FKs are re-added after the load, so any order is still correct
            ready = sorted(needs)
        for t in ready:
            order.append(t)
            done.add(t)
            del needs[t]
    return order


def converter(pg_type: str):
    if pg_type == "boolean":
        return lambda v: None if v is None else bool(v)
    if pg_type == "interval":
        return lambda v: v if v is None or isinstance(v, str) else dt.timedelta(microseconds=v)
    if pg_type in ("jsonb", "json"):
        return lambda v: v if v is None or isinstance(v, str) else json.dumps(v)
    return None


def copy_table(src: sqlite3.Connection, cur, table: str, columns: list[tuple[str, str]]) -> int:
    names = [c for c, _ in columns]
    convert = [(i, f) for i, (_, t) in enumerate(columns) if (f := converter(t))]
    select = "SELECT {} FROM {}".format(", ".join(f'"{c}"' for c in names), f'"{table}"')
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    n = 0
    with cur.copy(stmt) as copy:
        rows = src.execute(select)
        while batch := rows.fetchmany(10000):
            for r in batch:
                if convert:
                    r = list(r)
                    for i, f in convert:
                        r[i] = f(r[i])
                copy.write_row(r)
            n += len(batch)
    return n


def main() -> None:
    args = _arguments()
    source = Path(args.source)
    if not source.exists():
        raise SystemExit(f"{source}: no such file (bianmin seed-demo --scale county builds it)")
    if not _may_load(args):
        return

    clock = Clock()
    print(
        f"pg_load: {source} -> {connection.settings_dict['NAME']} on port {connection.settings_dict['PORT']}"
    )
    if args.replace:
        with connection.cursor() as c:
            c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        clock.step("dropped the old schema")

    # mode=ro: the county file is shared by every benchmark and must never change.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    ran = migrate_to(src)
    clock.step(f"migrated to the file's state ({ran} migrations)")

    tables = sorted(
        r[0]
        for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if r[0] not in SKIP
    )
    counts = _copy(src, tables, _columns(src, tables), clock)
    with connection.cursor() as c:
        c.execute("VACUUM (ANALYZE)")
    clock.step("VACUUM ANALYZE")
    call_command("migrate", verbosity=0)
    clock.step("migrated forward to the working tree")
    load_s = clock.total()

    if not _verify(src, tables, counts, clock, load_s):
        raise SystemExit(1)
    keep_as_template()
    clock.step('kept as the template database "county"')


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", default=str(ROOT / "var/bench/cases-200000.sqlite3"))
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--if-empty", action="store_true", help="do nothing when a county is loaded")
    group.add_argument(
        "--replace", action="store_true", help="drop everything in the database first"
    )
    return parser.parse_args()


def _may_load(args: argparse.Namespace) -> bool:
    """False when a county is loaded and --if-empty says leave it; refuses without --replace."""
    present = loaded()
    if present is None or args.replace:
        return True
    if args.if_empty:
        print(f"pg_load: already loaded ({present:,} cases); nothing to do")
        return False
    raise SystemExit(f"the database already holds a county ({present:,} cases); --replace drops it")


def _columns(src: sqlite3.Connection, tables: list[str]) -> dict:
    """PostgreSQL's columns of every table, which must be the file's."""
    pg_tables = set(connection.introspection.table_names())
    missing = [t for t in tables if t not in pg_tables]
    if missing:
        raise SystemExit(f"tables in the file but not in PostgreSQL: {missing}")
    columns = {}
    for table in tables:
        pg_cols = pg_rows(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            [table],
        )
        lite_cols = {r[1] for r in src.execute(f'PRAGMA table_info("{table}")')}
        if {c for c, _ in pg_cols} != lite_cols:
            raise SystemExit(
                f"{table}: columns differ ({sorted(lite_cols ^ {c for c, _ in pg_cols})})"
            )
        columns[table] = pg_cols
    return columns


def _copy(src: sqlite3.Connection, tables: list[str], columns: dict, clock: Clock) -> dict:
    """In one transaction: drop the foreign keys and secondary indexes, empty the tables, copy
    every row, and put the indexes and keys back. Rows copied, by table."""
    counts = {}
    with transaction.atomic():
        cur = connection.connection.cursor()
        cur.execute("SET LOCAL TIME ZONE 'UTC'; SET LOCAL synchronous_commit = off")
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), confrelid::regclass::text "
            "FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
        fks = cur.fetchall()
        # Secondary indexes only: those behind primary keys and unique constraints stay.
        cur.execute(
            "SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace "
            "WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
            "WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))"
        )
        indexes = cur.fetchall()
        for child, name, _definition, _parent in fks:
            cur.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(child), sql.Identifier(name)
                )
            )
        for name, _definition in indexes:
            cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        cur.execute(
            sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(sql.Identifier(t) for t in tables))
        )
        clock.step(f"emptied; dropped {len(fks)} foreign keys, {len(indexes)} indexes")
        for table in dependency_order(tables, fks):
            t = time.monotonic()
            counts[table] = copy_table(src, cur, table, columns[table])
            if counts[table] >= 100000:
                took = time.monotonic() - t
                print(f"    {table:<30} {counts[table]:>10,} rows {took:>6.1f} s", flush=True)
        clock.step(f"copied {sum(counts.values()):,} rows in {len(tables)} tables")
        for _name, definition in indexes:
            cur.execute(definition)
        clock.step(f"rebuilt {len(indexes)} indexes")
        for child, name, definition, _parent in fks:
            cur.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(child), sql.Identifier(name)
                )
                + sql.SQL(definition)
            )
        clock.step(f"re-added and validated {len(fks)} foreign keys")
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cur.execute(statement)
        clock.step("reset sequences")
    return counts


def _verify(src: sqlite3.Connection, tables: list[str], counts: dict, clock, load_s) -> bool:
    """The row counts equal the file's and `bianmin audit verify` passes; prints the summary."""
    bad = []
    for table in tables:
        theirs = src.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        ours = pg_rows(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)).as_string(None)
        )[0][0]
        if theirs != ours:
            bad.append(f"{table}: SQLite {theirs:,} PostgreSQL {ours:,}")
    clock.step(f"row counts compared ({len(tables)} tables)")
    print("  row counts: " + ("all equal" if not bad else "DIFFER: " + "; ".join(bad)))
    try:
        call_command("audit", "verify")
        verified = True
    except SystemExit:
        verified = False
    clock.step("bianmin audit verify")
    size = pg_rows("SELECT pg_size_pretty(pg_database_size(current_database()))")[0][0]
    print(
        f"pg_load: {sum(counts.values()):,} rows loaded in {load_s:.0f} s (load average "
        f"{os.getloadavg()[0]:.1f}); database {size}; counts {'equal' if not bad else 'DIFFER'}; "
        f"audit verify {'OK' if verified else 'FAILED'}"
    )
    return not bad and verified


def keep_as_template() -> None:
    """Copy the loaded database to the template "county"; scripts/bench-postgres.sh starts each
    run from a fresh copy of it, since the benchmarks write."""
    import psycopg

    settings = connection.settings_dict
    name = settings["NAME"]
    connection.close()
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname="postgres",
        autocommit=True,
    ) as pg:
        pg.execute("DROP DATABASE IF EXISTS county")
        pg.execute(
            sql.SQL("CREATE DATABASE county TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name)
            )
        )


if __name__ == "__main__":
    main()
