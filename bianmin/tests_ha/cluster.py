"""The replicated set that scripts/with-ha-postgres.sh started: its Patroni nodes and files."""

import json
import os
import urllib.request
from pathlib import Path


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
