"""Training: organisers' yearly duties counted in sessions held (RULES.md "Training (汉台 2023)"),
who may record a session, attendance as a record, and the pages."""

import datetime as dt

import pytest

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.staffing import selectors, services
from bianmin.staffing.models import TrainingAttendance, TrainingSession


def held(c, actor, organiser, day, attendees, topic="下放事项业务培训"):
    return services.training_session_create(
        actor=actor.user,
        topic=topic,
        organiser=organiser,
        date=day,
        hours="2",
        attendees=attendees,
    )


def duties(viewer, year):
    return {d.unit.name: d for d in selectors.training_duties(viewer=viewer.user, year=year)}


def test_duty_counts_sessions_each_organiser_held(county, proxy_item, clock, settings):
    c = county  # proxy_item is accepted at the township and decided by 区民政局: it delegates
    for month in (3, 6, 9):
        held(c, c.civil_head, c.dept_civil, dt.date(2026, month, 10), [c.a11, c.t1_staff])
    held(c, c.civil_head, c.dept_civil, dt.date(2025, 11, 10), [c.a12])  # last year's
    held(c, c.admin, c.centre, dt.date(2026, 4, 2), [c.a11, c.a12, c.a21, c.t2_staff])

    d = duties(c.admin, 2026)
    # Organisers with a duty only: the approval bureau and the department that delegates items;
    # 区自然资源局 and 区人社局 delegate nothing here, township centres are not organisers.
    assert set(d) == {"汉台区政务服务中心", "区民政局"}
    assert (d["区民政局"].held, d["区民政局"].required, d["区民政局"].short) == (3, 4, 1)
    assert (d["汉台区政务服务中心"].held, d["汉台区政务服务中心"].required) == (1, 2)
    assert [h.session.topic for h in d["区民政局"].sessions] == ["下放事项业务培训"] * 3
    names = {(a.name, a.unit) for a in d["汉台区政务服务中心"].sessions[0].attendees}
    assert names == {
        ("汉王代办员", "汉王村便民服务站"),
        ("谢村代办员", "谢村便民服务站"),
        ("花园代办员", "花园村便民服务站"),
        ("河东店窗口", "河东店镇便民服务中心"),
    }

    short = {
        x.unit.name: x.short for x in selectors.training_shortfall(viewer=c.admin.user, year=2026)
    }
    assert short == {"区民政局": 1, "汉台区政务服务中心": 1}
    held(c, c.civil_head, c.dept_civil, dt.date(2026, 9, 18), [c.a22])
    held(c, c.admin, c.centre, dt.date(2026, 9, 18), [c.a22])
    assert selectors.training_shortfall(viewer=c.admin.user, year=2026) == []
    # Last year: one session against four; the bureau held none against two.
    short = {
        x.unit.name: (x.held, x.required)
        for x in selectors.training_shortfall(viewer=c.admin.user, year=2025)
    }
    assert short == {"区民政局": (1, 4), "汉台区政务服务中心": (0, 2)}

    # A township head and an agent see the county's organisers too: the duty concerns them.
    assert set(duties(c.t1_head, 2026)) == set(duties(c.a21, 2026)) == set(d)
    # The numbers come from the setting (RULES.md, one place).
    settings.BIANMIN_TRAINING_DUTY = {"approval_bureau": 3, "delegating_department": 5}
    d = duties(c.admin, 2026)
    assert (d["汉台区政务服务中心"].short, d["区民政局"].short) == (1, 1)


def test_attendance_is_a_record_not_a_quota(county, proxy_item, clock):
    c = county
    s = held(c, c.civil_head, c.dept_civil, dt.date(2026, 5, 6), [c.a11])
    # The shortfall lists organisers, never the people who did not attend.
    rows = selectors.training_shortfall(viewer=c.admin.user, year=2026)
    assert {r.unit.name for r in rows} == {"区民政局", "汉台区政务服务中心"}
    rec = selectors.training_record(viewer=c.a11.user, staff=c.a11, year=2026)
    assert [x.topic for x in rec.sessions] == [s.topic] and str(rec.hours) == "2.0"
    assert selectors.training_record(viewer=c.a12.user, staff=c.a12, year=2026).count == 0
    with pytest.raises(PermissionDenied):  # another village's agent
        selectors.training_record(viewer=c.a21.user, staff=c.a11, year=2026)
    # Late sign-in sheet: added once, recorded by whom.
    services.training_attendance_add(session=s, attendees=[c.a12, c.a11], actor=c.civil_head.user)
    services.training_attendance_add(session=s, attendees=[c.a12], actor=c.civil_head.user)
    rows = TrainingAttendance.objects.filter(session=s).order_by("staff__full_name")
    assert [(r.staff.full_name, r.recorded_by) for r in rows] == [
        ("汉王代办员", c.civil_head.user),
        ("谢村代办员", c.civil_head.user),
    ]


def test_only_the_organisers_managers_record_its_sessions(county, proxy_item, clock):
    c = county
    day = dt.date(2026, 9, 1)
    with pytest.raises(PermissionDenied):  # an approver of the department, not its head
        held(c, c.civil, c.dept_civil, day, [c.a11])
    with pytest.raises(PermissionDenied):  # another unit's head
        held(c, c.civil_head, c.centre, day, [c.a11])
    with pytest.raises(PermissionDenied):  # the county administrator does not act for 区民政局
        held(c, c.admin, c.dept_civil, day, [c.a11])
    with pytest.raises(ValidationFailed):  # a township centre is not an organiser of this duty
        held(c, c.t1_head, c.tc1, day, [c.a11])
    with pytest.raises(ValidationFailed) as e:  # recorded once held, not in advance
        held(c, c.civil_head, c.dept_civil, dt.date(2026, 9, 22), [c.a11])
    assert e.value.field == "date"
    with pytest.raises(ValidationFailed) as e:  # the audience is township and village staff
        held(c, c.civil_head, c.dept_civil, day, [c.a11, c.land])
    assert e.value.field == "attendees"
    with pytest.raises(ValidationFailed):
        held(c, c.civil_head, c.dept_civil, day, [])
    with pytest.raises(ValidationFailed):
        services.training_session_create(
            actor=c.civil_head.user,
            topic="x",
            organiser=c.dept_civil,
            date=day,
            hours="abc",
            attendees=[c.a11],
        )
    assert not TrainingSession.objects.exists()
    s = held(c, c.civil_head, c.dept_civil, day, [c.a11])
    with pytest.raises(PermissionDenied):
        services.training_attendance_add(session=s, attendees=[c.a12], actor=c.t1_head.user)


def test_pages_record_a_session_and_show_the_shortfall(client, county, proxy_item, clock):
    c = county
    client.force_login(c.civil_head.user)
    page = client.get("/staffing/training/").content.decode()
    assert 'id="training-form"' in page and "谢村代办员 · 谢村便民服务站" in page
    assert "区民政局" in page and "民政审批 ·" not in page  # department staff are not the audience

    bad = {
        "organiser": c.dept_civil.pk,
        "topic": "最低生活保障审核确认培训",
        "date": "2026-12-01",  # after today (2026-09-21)
        "hours": "3",
        "audience": "township_village",
        "attendees": [c.a11.pk, c.a12.pk],
    }
    r = client.post("/staffing/training/new/", bad)
    assert r.status_code == 400 and not TrainingSession.objects.exists()
    page = r.content.decode()
    assert "培训日期不能晚于今天" in page and 'value="最低生活保障审核确认培训"' in page
    assert f'value="{c.a12.pk}" checked' in page  # what was ticked stays ticked

    r = client.post("/staffing/training/new/", {**bad, "date": "2026-09-18"})
    s = TrainingSession.objects.get()
    assert r.status_code == 302 and r.headers["Location"] == f"/staffing/training/{s.pk}/"
    page = client.get(r.headers["Location"]).content.decode()
    assert "汉王代办员" in page and "谢村便民服务站" in page

    page = client.get("/staffing/training/shortfall/?year=2026").content.decode()
    assert "区民政局" in page and "1 / 4" in page and "谢村代办员 · 谢村便民服务站" in page
    assert "汉台区政务服务中心" in page and "0 / 2" in page

    # Someone who attended sees the session among theirs; another village's agent cannot open it.
    client.force_login(c.a12.user)
    page = client.get("/staffing/training/mine/?year=2026").content.decode()
    assert "最低生活保障审核确认培训" in page and 'id="training-form"' not in page
    assert client.get(f"/staffing/training/{s.pk}/").status_code == 200
    assert (
        client.post(f"/staffing/training/{s.pk}/attend/", {"attendees": [c.a21.pk]}).status_code
        == 403
    )
    client.force_login(c.a21.user)
    assert client.get(f"/staffing/training/{s.pk}/").status_code == 404
    r = client.post("/staffing/training/new/", {**bad, "date": "2026-09-18"})
    assert r.status_code == 403 and TrainingSession.objects.count() == 1
    assert client.post("/staffing/training/new/", {**bad, "organiser": "x"}).status_code == 403
