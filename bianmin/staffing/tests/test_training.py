"""Training: sessions, a person's record, the yearly shortfall list per category."""

import datetime as dt

import pytest

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.staffing import selectors, services


def test_sessions_record_and_shortfall(client, county, proxy_item):
    c = county  # proxy_item is accepted at the township and implemented by 区民政局: it delegates
    s1 = services.training_session_create(
        actor=c.t1_head.user,
        topic="代办业务培训",
        organiser=c.tc1,
        date=dt.date(2026, 3, 5),
        hours="3",
        attendees=[c.a11, c.a12, c.t1_staff],
    )
    services.training_session_create(
        actor=c.t1_head.user,
        topic="一次性告知规范",
        organiser=c.tc1,
        date=dt.date(2026, 6, 5),
        hours=2.5,
        attendees=[c.a11],
    )
    services.training_session_create(
        actor=c.admin.user,
        topic="去年的培训",
        organiser=c.centre,
        date=dt.date(2025, 6, 5),
        hours=2,
        attendees=[c.a12],
    )
    rec = selectors.training_record(viewer=c.t1_head.user, staff=c.a11, year=2026)
    assert rec.count == 2 and str(rec.hours) == "5.5"
    with pytest.raises(PermissionDenied):
        selectors.training_record(viewer=c.a21.user, staff=c.a11, year=2026)
    with pytest.raises(PermissionDenied):  # 河东店 agents are outside 武乡's head's scope
        services.training_session_create(
            actor=c.t1_head.user,
            topic="x",
            organiser=c.tc1,
            date=dt.date(2026, 3, 5),
            hours=1,
            attendees=[c.a21],
        )
    with pytest.raises(ValidationFailed):
        services.training_session_create(
            actor=c.t1_head.user,
            topic="x",
            organiser=c.tc1,
            date=dt.date(2026, 3, 5),
            hours="abc",
            attendees=[c.a11],
        )

    short = {
        r.staff.user.username: r
        for r in selectors.training_shortfall(viewer=c.admin.user, year=2026)
    }
    assert "v0101-agent" not in short  # two sessions: meets the station rule
    assert short["v0102-agent"].attended == 1 and short["v0102-agent"].required == 2
    assert short["v0201-agent"].attended == 0 and short["t02-staff"].category == "station"
    assert short["d-mz"].category == "department" and short["d-mz"].required == 4
    assert "d-zr" not in short  # 区自然资源局 delegates nothing here: no requirement
    assert "supervisor" not in short and "admin" not in short
    scoped = {
        r.staff.user.username
        for r in selectors.training_shortfall(viewer=c.t1_head.user, year=2026)
    }
    assert scoped == {"v0102-agent", "t01-staff", "t01-head"}

    client.force_login(c.admin.user)
    page = client.get("/staffing/training/shortfall/?year=2026").content.decode()
    assert "谢村代办员" in page and "民政审批" in page and "汉王代办员" not in page
    r = client.post(
        "/staffing/training/new/",
        {
            "topic": "好差评培训",
            "organiser": c.centre.pk,
            "date": "2026-07-01",
            "hours": "2",
            "attendees": [c.a12.pk],
        },
    )
    assert r.status_code == 302
    assert selectors.training_record(viewer=c.admin.user, staff=c.a12, year=2026).count == 2
    page = client.get(f"/staffing/training/person/{c.a11.pk}/?year=2026").content.decode()
    assert "代办业务培训" in page and s1.topic in page
