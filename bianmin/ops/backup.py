"""Backups of the database: one consistent file, and putting it back.

SQLite: the online backup API copies the database page by page inside one read transaction, so
the file is a consistent snapshot even while the app goes on writing (WAL lets the writers go on).
PostgreSQL: `pg_dump -Fc` reads everything in one repeatable-read snapshot; `pg_restore` loads it
in one transaction. Uploaded files under MEDIA_ROOT are not in the database; see docs/operations.md.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore are run with an argument list, no shell
import time
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why, for the operator."""


@dataclass
class BackupInfo:
    path: Path
    engine: str  # "sqlite" or "postgresql"
    size: int
    seconds: float


def _engine(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine}")


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_check(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise BackupError(f"{path} 不是 SQLite 数据库文件 / is not an SQLite database file")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("PRAGMA integrity_check").fetchone()
    finally:
        con.close()
    if row[0] != "ok":
        raise BackupError(f"{path} 完整性检查失败 / fails the integrity check: {row[0]}")


def sqlite_backup(*, source: Path, dest: Path) -> None:
    """Copy the SQLite database `source` to `dest` as one self-contained, consistent file.

    The copy is written next to `dest` and renamed into place, so a crash never leaves a
    half-written backup under the final name.
    """
    if not source.exists():
        raise BackupError(f"数据库文件不存在 / database file not found: {source}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), timeout=30)
    out = sqlite3.connect(str(partial))
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # pages=-1: the whole database in one step, under one read transaction: a consistent
        # snapshot that concurrent writers (WAL) neither block nor invalidate.
        src.backup(out, pages=-1)
        # The source is in WAL mode and the copy inherits it; a backup must be one file.
        out.execute("PRAGMA journal_mode=DELETE")
        out.commit()
    finally:
        out.close()
        src.close()
    _sqlite_check(partial)
    with partial.open("rb") as fh:
        os.fsync(fh.fileno())
    partial.replace(dest)


def sqlite_is_empty(path: Path) -> bool:
    """A database without any table (a new file, or none at all) is empty."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        n = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        con.close()
    return n == 0


def sqlite_restore(*, backup: Path, target: Path, force: bool = False) -> None:
    """Put the backup file `backup` in place of the database `target`.

    Refuses a target that already has tables unless `force`: a restore replaces everything.
    Goes through the backup API into the target (not a file copy), so SQLite's own locking
    applies and no stale WAL from the old database can be replayed over the restored one.
    """
    if not backup.exists():
        raise BackupError(f"备份文件不存在 / backup file not found: {backup}")
    _sqlite_check(backup)
    if not force and not sqlite_is_empty(target):
        raise BackupError(
            f"目标数据库 {target} 不是空的，恢复会覆盖全部数据；确认后加 --force。\n"
            f"The target database {target} is not empty; a restore replaces all of it. "
            "Add --force to overwrite."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.commit()
    finally:
        dst.close()
        src.close()
    _sqlite_check(target)


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The newest `pg_dump`/`pg_restore`: Debian keeps one per major version under
    /usr/lib/postgresql, and a client older than the server refuses to dump it."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"找不到 {name}，请安装 postgresql-client / {name} not found: apt-get install postgresql-client"
    )


def pg_env(db: dict) -> dict[str, str]:
    """libpq environment for the Django database settings (taken from DATABASE_URL)."""
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = db.get(key)
        if value:
            env[var] = str(value)
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BackupError(
            f"{Path(args[0]).name} 失败 / failed (exit {proc.returncode}):\n{proc.stderr.strip()}"
        )


def pg_backup(*, db: dict, dest: Path) -> None:
    """`pg_dump -Fc` of the whole database into `dest` (written aside, then renamed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    _run(
        [pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-acl", "-f", str(partial)],
        pg_env(db),
    )
    partial.replace(dest)


def pg_is_empty(connection) -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return cur.fetchone()[0] == 0


def pg_restore(*, db: dict, backup: Path, empty: bool, force: bool = False) -> None:
    """`pg_restore` of a `pg_dump -Fc` file into the configured database, in one transaction.

    Refuses a database that has tables unless `force`; with `force` the dumped objects are
    dropped first (`--clean --if-exists`).
    """
    if not backup.exists():
        raise BackupError(f"备份文件不存在 / backup file not found: {backup}")
    with backup.open("rb") as fh:
        if fh.read(5) != PGDUMP_MAGIC:
            raise BackupError(
                f"{backup} 不是 pg_dump -Fc 生成的备份 / is not a pg_dump custom-format file"
            )
    if not force and not empty:
        raise BackupError(
            f"目标数据库 {db.get('NAME')} 不是空的，恢复会覆盖全部数据；确认后加 --force。\n"
            f"The target database {db.get('NAME')} is not empty; a restore replaces all of it. "
            "Add --force to overwrite."
        )
    args = [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction"]
    args += ["--exit-on-error", "-d", str(db.get("NAME"))]
    if force and not empty:
        args += ["--clean", "--if-exists"]
    _run([*args, str(backup)], pg_env(db))


# --- entry points used by the commands --------------------------------------------------------


def backup_create(*, path: Path, alias: str = "default") -> BackupInfo:
    """Write a consistent backup of database `alias` to `path` (SQLite file or pg_dump -Fc)."""
    from django.conf import settings

    db = settings.DATABASES[alias]
    engine = _engine(db)
    started = time.monotonic()
    path = Path(path).resolve()
    if engine == "sqlite":
        from django.db import connections

        conn = connections[alias]
        if conn.is_in_memory_db():
            # Tests and throwaway runs: the data exists only in this connection. The backup API
            # waits forever on a shared-cache database with a transaction open; serialize() not.
            conn.ensure_connection()
            partial = path.with_name(f".{path.name}.partial")
            partial.write_bytes(conn.connection.serialize())
            _sqlite_check(partial)
            partial.replace(path)
        else:
            source = Path(db["NAME"]).resolve()
            if source == path:
                raise BackupError(
                    "备份文件不能是数据库本身 / the backup cannot be the database itself"
                )
            sqlite_backup(source=source, dest=path)
    else:
        pg_backup(db=db, dest=path)
    return BackupInfo(
        path=path, engine=engine, size=path.stat().st_size, seconds=time.monotonic() - started
    )


def backup_restore(*, path: Path, force: bool = False, alias: str = "default") -> BackupInfo:
    """Replace database `alias` with the backup at `path`; refuses a non-empty one unless force."""
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES[alias]
    engine = _engine(db)
    started = time.monotonic()
    path = Path(path).resolve()
    if engine == "sqlite":
        if connections[alias].is_in_memory_db():
            if path.exists():
                _sqlite_check(path)
            raise BackupError("内存数据库无法恢复 / cannot restore into an in-memory database")
        connections[alias].close()
        sqlite_restore(backup=path, target=Path(db["NAME"]).resolve(), force=force)
    else:
        empty = pg_is_empty(connections[alias])
        connections[alias].close()
        pg_restore(db=db, backup=path, empty=empty, force=force)
    return BackupInfo(
        path=path, engine=engine, size=path.stat().st_size, seconds=time.monotonic() - started
    )
