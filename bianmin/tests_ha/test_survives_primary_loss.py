"""The primary is killed (SIGKILL) in the middle of a burst of case writes: Patroni promotes the
synchronous standby, the app carries on through PgBouncer, every acknowledged write is on the new
primary and `bianmin audit verify` passes (issue 17's "done means").

Runs last in this package (file order): afterwards the old primary is rejoining as a standby.
"""

import io
import os
import signal
import threading
import time
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.db import Error, connection, connections

from bianmin.cases.models import Case
from bianmin.conftest import build_county
from bianmin.tests_factories import CaseFactory, ItemFactory

from . import cluster

pytestmark = [
    pytest.mark.ha,
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]

BEFORE_KILL = 30  # acknowledged writes before the primary is killed
AFTER_FAILOVER = 20  # acknowledged writes on the new primary before the burst stops
MAX_ATTEMPTS = 2000  # the writer stops by itself whatever happens
WAIT_SECONDS = 120  # for each stage, at most


@dataclass
class Burst:
    """Case writes, each in its own transaction; an id counts once its commit returned."""

    acked: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    killed_at: float | None = None
    first_ack_after_kill: float | None = None
    before_kill: threading.Event = field(default_factory=threading.Event)
    resumed: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, write) -> None:
        failed_after_kill = False
        acked_after_failure = 0
        try:
            for _attempt in range(MAX_ATTEMPTS):
                if self.stop.is_set():
                    return
                try:
                    pk = write()
                except Error as e:
                    # The server went away mid-transaction: nothing of it is acknowledged. The
                    # error may be any database error (a connection reset, or psycopg confused
                    # by PgBouncer's own error in the middle of a BEGIN). A new connection waits
                    # in PgBouncer until Patroni's callback points it at the new primary.
                    self.errors.append(type(e).__name__)
                    failed_after_kill = failed_after_kill or self.killed_at is not None
                    connection.close()
                    continue
                self.acked.append(pk)
                if len(self.acked) >= BEFORE_KILL:
                    self.before_kill.set()
                # Counted from the first failure after the kill: a commit in flight when the
                # signal landed may still return, from the old primary.
                if failed_after_kill:
                    acked_after_failure += 1
                    if self.first_ack_after_kill is None:
                        self.first_ack_after_kill = time.monotonic()
                    if acked_after_failure >= AFTER_FAILOVER:
                        self.resumed.set()
        finally:
            connections.close_all()


def test_killing_the_primary_loses_no_acknowledged_write():
    c = build_county()
    item = ItemFactory(county=c, steps=[])
    materials = {m.pk: "provided" for m in item.materials.all()}

    def write() -> int:
        case = CaseFactory(county=c, item_version=item, materials=materials)
        return case.pk

    old = cluster.leader()
    assert old is not None
    standby = next(m for m in cluster.members() if m["role"] == "sync_standby")

    burst = Burst()
    writer = threading.Thread(target=burst.run, args=(write,), daemon=True)
    writer.start()
    try:
        assert burst.before_kill.wait(WAIT_SECONDS), burst.errors
        os.kill(cluster.postmaster_pid(old["name"]), signal.SIGKILL)
        burst.killed_at = time.monotonic()
        assert burst.resumed.wait(WAIT_SECONDS), (len(burst.acked), burst.errors[-5:])
    finally:
        burst.stop.set()
        writer.join(WAIT_SECONDS)
    assert not writer.is_alive()

    # Patroni promoted the standby, and the app's connection (through PgBouncer) is on it.
    new = cluster.leader()
    assert new is not None and new["name"] == standby["name"] != old["name"]
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        assert cursor.fetchone() == (new["port"], False)

    stored = set(Case.objects.filter(pk__in=burst.acked).values_list("pk", flat=True))
    lost = set(burst.acked) - stored
    assert not lost
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("OK")

    assert burst.first_ack_after_kill is not None
    print(
        f"\nfailover: {old['name']} killed, {new['name']} promoted; writes resumed after "
        f"{burst.first_ack_after_kill - burst.killed_at:.1f} s; {len(burst.acked)} writes "
        f"acknowledged, {len(lost)} lost, {len(burst.errors)} failed attempts "
        f"({Case.objects.count()} cases stored); audit verify OK"
    )
