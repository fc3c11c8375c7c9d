import datetime as dt
import threading

import pytest
from django.db import connection

from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.portal import services
from bianmin.portal.models import Appointment, AppointmentCapacity, HomeVisitRequest, StatusEvent
from bianmin.workdays.calendar import is_workday

TODAY = dt.date(2026, 11, 23)  # a Monday


def next_workday(after=TODAY, skip=0):
    day = after
    while True:
        day += dt.timedelta(days=1)
        if is_workday(day)[0]:
            if skip == 0:
                return day
            skip -= 1


def book(unit, day, phone="13800001111", half="am"):
    return services.appointment_book(
        unit=unit, day=day, half=half, name="张三", phone=phone, today=TODAY
    )


@pytest.mark.django_db
def test_capacity_per_half_day_and_no_double_booking(pc):
    AppointmentCapacity.objects.create(unit=pc.s11, morning=2, afternoon=1)
    day = next_workday()
    a = book(pc.s11, day, "13800000001")
    b = book(pc.s11, day, "13800000002")
    assert {a.slot, b.slot} == {1, 2}
    with pytest.raises(Conflict):
        book(pc.s11, day, "13800000003")  # morning full
    with pytest.raises(Conflict):
        book(pc.s11, day, "13800000001", half="am")  # same person twice
    assert book(pc.s11, day, "13800000003", half="pm").slot == 1
    services.appointment_cancel(code=a.code, phone_tail="0001")
    assert book(pc.s11, day, "13800000004").slot == a.slot  # the freed seat is reused


@pytest.mark.django_db
def test_only_working_days_in_the_future(pc):
    saturday = TODAY + dt.timedelta(days=5)
    with pytest.raises(ValidationFailed, match="不是工作日"):
        book(pc.s11, saturday)
    with pytest.raises(ValidationFailed):
        book(pc.s11, TODAY)
    with pytest.raises(ValidationFailed):
        book(pc.dept_land, next_workday())  # departments take no bookings


@pytest.mark.django_db
def test_cancel_and_reschedule_need_code_and_phone_tail(pc):
    day, later = next_workday(), next_workday(skip=1)
    appt = book(pc.s11, day)
    with pytest.raises(Exception, match="不正确"):
        services.appointment_cancel(code=appt.code, phone_tail="9999")
    moved = services.appointment_reschedule(
        code=appt.code, phone_tail="1111", day=later, half="pm", today=TODAY
    )
    assert (moved.day, moved.half, moved.code) == (later, "pm", appt.code)
    services.appointment_cancel(code=appt.code, phone_tail="1111")
    with pytest.raises(Conflict, match="该预约已取消"):
        services.appointment_cancel(code=appt.code, phone_tail="1111")
    with pytest.raises(Conflict, match="该预约已取消"):
        services.appointment_reschedule(code=appt.code, phone_tail="1111", day=day, half="am")
    cancels = StatusEvent.objects.filter(kind="appointment", code=appt.code)
    assert [(e.action, e.to_state) for e in cancels] == [("cancel", "cancelled")]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_for_the_last_seat(pc):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads need a file database")
    AppointmentCapacity.objects.create(unit=pc.s12, morning=1, afternoon=1)
    day = next_workday()
    results = []

    def attempt(phone):
        try:
            results.append(book(pc.s12, day, phone).slot)
        except Conflict:
            results.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(f"1380000000{i}",)) for i in (5, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == ["1", "full"]
    assert Appointment.objects.filter(unit=pc.s12, status="booked").count() == 1


@pytest.mark.django_db
def test_booking_pages(client, pc):
    page = client.get("/appointments/?item=ZR-001")
    assert page.status_code == 200 and "农村宅基地审批" in page.content.decode()
    day = page.context["days"][0]
    r = client.post(
        "/appointments/",
        {
            "unit": "S11",
            "day": day.isoformat(),
            "half": "am",
            "name": "李四",
            "phone": "13911112222",
        },
    )
    assert r.status_code == 302
    appt = Appointment.objects.get()
    body = client.get(r.url).content.decode()
    assert appt.code in body and "预约成功" in body
    r = client.post(r.url, {"action": "cancel", "phone_tail": "2222"})
    assert "预约已取消" in r.content.decode()
    appt.refresh_from_db()
    assert appt.status == "cancelled"
    r = client.post(
        "/appointments/",
        {"unit": "S11", "day": day.isoformat(), "half": "am", "name": "", "phone": "139"},
    )
    assert r.status_code == 422 and "请填写姓名" in r.content.decode()


@pytest.mark.django_db
def test_home_visit_request_becomes_proxy_case_for_the_agent(client, pc):
    r = client.post(
        "/home-visit/",
        {
            "station": "S11",
            "item": "ZR-001",
            "reason": "elderly",
            "name": "王大爷",
            "id_number": "11010519491231002X",
            "phone": "13700001234",
            "address": "汉王村三组",
        },
    )
    assert r.status_code == 200 and "汉王代办员" in r.content.decode()
    row = HomeVisitRequest.objects.get()
    bad = client.post(
        "/home-visit/",
        {
            "station": "S11",
            "item": "ZR-001",
            "reason": "elderly",
            "name": "x",
            "id_number": "110105194912310021",
            "phone": "13700001234",
            "address": "a",
        },
    )
    assert bad.status_code == 422 and "校验位" in bad.content.decode()
    # Another village's agent does not see it; the station's agent registers it at the visit.
    client.force_login(pc.a12.user)
    assert (
        client.post(
            f"/staff/home-visits/{row.code}/register/", {"entrustment_signed": "on"}
        ).status_code
        == 404
    )
    client.force_login(pc.a11.user)
    assert "王大爷" in client.get("/staff/home-visits/").content.decode()
    client.post(f"/staff/home-visits/{row.code}/register/", {"entrustment_signed": "on"})
    row.refresh_from_db()
    case = row.case
    assert case.channel == "proxy" and case.agent == pc.a11 and case.first_responder == pc.a11.user
    assert case.intake_unit == pc.s11 and case.entrustment_signed


@pytest.mark.django_db
def test_days_in_a_year_without_schedule_are_marked_provisional(client, pc, clock):
    """2027 has no official schedule in the calendar: its days are offered, marked 暂定."""
    today = clock.set(dt.date(2026, 12, 24))
    html = client.get("/appointments/").content.decode()
    assert "2026-12-31 星期四</option>" in html  # 2026 is known: no mark
    assert "2027-01-01 星期五 （暂定）</option>" in html  # 元旦 2027 unknown yet
    assert "2027 年节假日安排尚未公布" in html
    appt = services.appointment_book(
        unit=pc.s11,
        day=dt.date(2027, 1, 4),
        half="am",
        name="张三",
        phone="13800002222",
        today=today,
    )
    html = client.get(f"/appointments/{appt.code}/").content.decode()
    assert 'id="appt-provisional"' in html and "2027 年节假日安排尚未公布" in html
    known = services.appointment_book(
        unit=pc.s11,
        day=dt.date(2026, 12, 28),
        half="am",
        name="张三",
        phone="13800002222",
        today=today,
    )
    assert (
        'id="appt-provisional"' not in client.get(f"/appointments/{known.code}/").content.decode()
    )
