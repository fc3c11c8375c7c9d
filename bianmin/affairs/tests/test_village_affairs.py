"""Mediation records confidential to village and township; deliberations with quorum and votes."""

import datetime as dt

import pytest

from bianmin.affairs import selectors, services
from bianmin.common.errors import PermissionDenied, ValidationFailed

D = dt.date(2026, 5, 6)


def test_mediation_confidential_to_village_and_township(client, county):
    c = county
    m = services.mediation_record(
        actor=c.a11.user,
        village=c.v11,
        parties="张某、王某",
        matter="宅基地界址争议",
        mediator="村调委会 赵主任",
        mediated_on=D,
        outcome="agreed",
        agreement="以老墙为界",
    )
    services.mediation_follow_up(actor=c.t1_staff.user, mediation=m, text="双方履行协议", on=D)
    assert [x.pk for x in selectors.mediations(viewer=c.t1_head.user, village=c.v11)] == [m.pk]
    for outsider in (c.a12, c.t2_staff, c.supervisor, c.civil, c.admin):
        with pytest.raises(PermissionDenied):
            selectors.mediations(viewer=outsider.user, village=c.v11)
        client.force_login(outsider.user)
        assert client.get(f"/affairs/{c.v11.code}/mediation/").status_code == 403
        assert client.post(f"/affairs/{c.v11.code}/mediation/new/", {}).status_code == 403
    client.force_login(c.a11.user)
    body = client.get(f"/affairs/{c.v11.code}/mediation/").content.decode()
    assert "宅基地界址争议" in body and "双方履行协议" in body
    assert "宅基地界址争议" not in client.get(f"/affairs/board/{c.v11.code}/").content.decode()


def test_deliberation_quorum_votes_and_publication(client, county):
    c = county
    args = dict(
        actor=c.a11.user,
        village=c.v11,
        matter="修建村组道路",
        meeting_kind="representatives",
        meeting_on=D,
        decision="每户筹资50元",
    )
    with pytest.raises(ValidationFailed):  # half present is not more than half
        services.deliberation_record(
            **args, eligible=40, attended=20, votes_for=20, votes_against=0, abstained=0
        )
    with pytest.raises(ValidationFailed):
        services.deliberation_record(
            **args, eligible=40, attended=30, votes_for=25, votes_against=6, abstained=0
        )
    tie = services.deliberation_record(
        **args, eligible=40, attended=30, votes_for=15, votes_against=10, abstained=5
    )
    assert tie.passed is False
    ok = services.deliberation_record(
        **args, eligible=40, attended=30, votes_for=16, votes_against=10, abstained=4
    )
    assert ok.passed is True
    with pytest.raises(PermissionDenied):
        services.deliberation_record(
            **{**args, "actor": c.a21.user},
            eligible=40,
            attended=30,
            votes_for=16,
            votes_against=10,
            abstained=4,
        )
    board = client.get(f"/affairs/board/{c.v11.code}/").content.decode()
    assert "修建村组道路" not in board
    client.force_login(c.a11.user)
    client.post(f"/affairs/{c.v11.code}/deliberations/publish/", {"deliberation": ok.pk})
    board = client.get(f"/affairs/board/{c.v11.code}/").content.decode()
    assert "修建村组道路" in board and "赞成 16" in board and "每户筹资50元" in board
