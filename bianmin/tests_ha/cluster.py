"""The replicated set that scripts/with-ha-postgres.sh started: its Patroni nodes and files."""

import json
import os
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psycopg


def ha_dir() -> Path:
    return Path(os.environ["BIANMIN_HA_DIR"])


def members() -> list[dict]:
    """Patroni's view of the cluster (REST GET /cluster), from the first node that answers."""
    for url in os.environ["BIANMIN_HA_PATRONI"].split():
        try:
            with urllib.request.urlopen(f"{url}/cluster", timeout=2) as response:  # noqa: S310
                return json.load(response)["members"]
        except OSError:
            continue
    raise RuntimeError("no Patroni node answers")


def leader() -> dict | None:
    return next((m for m in members() if m["role"] == "leader"), None)


def postmaster_pid(name: str) -> int:
    """The pid of a node's postmaster, from the first line of postmaster.pid in its data dir."""
    return int((ha_dir() / name / "postmaster.pid").read_text().split()[0])


def _connect(member: dict, dbname: str):
    return psycopg.connect(
        host=member["host"],
        port=member["port"],
        user="postgres",
        password=os.environ["BIANMIN_HA_PASSWORD"],
        dbname=dbname,
        autocommit=True,
    )


@contextmanager
def replay_held(primary: dict, standby: dict, dbname: str, table: str = "django_migrations"):
    """Hold a standby's WAL replay behind a lock: it receives and flushes the primary's commits
    (synchronous replication) but shows none of them until the block ends, a lag made on purpose.

    A query on the standby holds a share lock on `table`; the primary then takes an exclusive
    lock on it, which the standby must replay before anything after it, and cannot while the
    query is open (for up to max_standby_streaming_delay, 30 s). Patroni undoes a plain
    pg_wal_replay_pause() within its next loop, so a pause would not hold."""
    with _connect(standby, dbname) as reader, _connect(primary, dbname) as writer:
        reader.autocommit = False
        reader.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed table name)
        with writer.transaction():
            writer.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            reader.rollback()
