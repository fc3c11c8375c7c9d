"""A report page served by the replica shows a case accepted a moment before on the primary,
to the person who accepted it (issue 17's "done means"), on the real primary and standby.

Runs before test_survives_primary_loss.py (file order): that one kills the primary.
"""

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bianmin.cases.models import Case, State
from bianmin.common.dbrouting import PRIMARY_COOKIE
from bianmin.conftest import build_county
from bianmin.portal.selectors import mask_number
from bianmin.tests_factories import CaseFactory, ItemFactory

from . import cluster

pytestmark = [
    pytest.mark.ha,
    # serialized_rollback restores the calendar rows seeded by migration, which a flush would lose.
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]


def _server(alias: str) -> tuple[int, bool]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        return cursor.fetchone()


def _case_queries(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "cases_case" in q["sql"]]


def _get(client: Client, url: str):
    """GET a page, with the case queries each database answered."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return response, _case_queries(primary), _case_queries(replica)


def test_the_writer_reads_its_accepted_case_from_a_replica_page():
    # Two servers: "replica" is the hot standby, "default" the primary (through PgBouncer).
    assert _server("default")[1] is False
    assert _server("replica")[1] is True

    c = build_county()
    case = CaseFactory(county=c, item_version=ItemFactory(county=c, steps=[]))
    board = reverse("portal:disclosure_cases", args=[c.tc1.code, "accepted"])

    standby = next(m for m in cluster.members() if m["role"] == "sync_standby")
    primary = cluster.leader()
    staff = Client()
    staff.force_login(c.t1_staff.user)
    # The standby is held a step behind: it has the acceptance on disk (synchronous commit) but
    # has not replayed it, as a busy standby may be for a moment.
    with cluster.replay_held(primary, standby, connections["default"].settings_dict["NAME"]):
        r = staff.post(f"/cases/{case.number}/actions/accept/", {"lock_version": case.lock_version})
        assert r.status_code in (200, 302), r.content[:500]
        assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
        assert PRIMARY_COOKIE in r.cookies

        # The same browser at once: the board (a @replica_reads page) reads the primary and
        # lists the case.
        page, on_primary, on_replica = _get(staff, board)
        assert mask_number(case.number) in page.content.decode()
        assert on_primary and not on_replica

        # Another visitor's board is read from the standby, which does not have it yet.
        page, others_on_primary, others_on_replica = _get(Client(), board)
        assert others_on_replica and not others_on_primary
        assert mask_number(case.number) not in page.content.decode()

    print(
        f"\nread-your-writes: with the standby's replay held, the writer's board lists the case "
        f"({len(on_primary)} case queries on the primary, 0 on the replica); another visitor's "
        f"board ({len(others_on_replica)} on the replica) does not yet"
    )
