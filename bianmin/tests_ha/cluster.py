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


@contextmanager
def replay_paused(member: dict):
    """Hold a standby's WAL replay: it receives and flushes the primary's commits (synchronous
    replication) but shows none of them, a lag made on purpose."""
    with psycopg.connect(
        host=member["host"],
        port=member["port"],
        user="postgres",
        password=os.environ["BIANMIN_HA_PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")
