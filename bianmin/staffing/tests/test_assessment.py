"""Assessment and subsidy: figures recomputed here from the raw rows, the head's adjustment,
the subsidy split summing exactly to the budget, and the cases behind every figure."""

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from bianmin.cases.models import Case, SupervisionFlag
from bianmin.cases.services import case_transition, flag_raise
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.models import RoleCode, Staff
from bianmin.ratings.models import Rating
from bianmin.ratings.services import rating_submit
from bianmin.staffing import services
from bianmin.staffing.models import Attendance
from bianmin.staffing.services.assessment import allocate
from bianmin.supervision.models import Complaint
from bianmin.supervision.services.complaints import complaint_decide, complaint_file
from bianmin.tests_factories import ItemFactory
from bianmin.workdays.calendar import is_workday

from .conftest import open_proxy_case

START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
WEIGHTS = {
    "cases": 20,
    "on_time": 25,
    "notice": 10,
    "rating": 15,
    "complaints": 10,
    "attendance": 10,
}


@pytest.fixture
def immediate(county):
    return ItemFactory(
        county=county,
        local_code="STF-IMM",
        name="开具居住证明",
        case_class="immediate",
        township=True,
        plain=True,
        promised_limit=0,
        statutory_limit=5,
    )


def _through_township(case, c):
    case = case_transition(case=case, action="forward", actor=c.a11.user)
    case = case_transition(case=case, action="receive", actor=c.t1_staff.user)
    return case_transition(case=case, action="accept", actor=c.t1_staff.user)


def expected(staff: Staff, today: dt.date) -> tuple[Decimal, dict]:
    """The score recomputed from raw rows, independently of the service's code."""
    cases = list(Case.objects.filter(first_responder=staff.user, submitted_on__range=(START, END)))
    n = len(cases)
    done = [x for x in cases if x.concluded_on]
    late = [
        x
        for x in done
        if x.concluded_on > (x.proxy_due if x.channel == "proxy" else x.promised_due)
    ]
    flags = SupervisionFlag.objects.filter(case__in=cases, kind="repeated_notice").count()
    levels = [
        r.level for r in Rating.objects.filter(staff_user=staff.user, case__in=cases, removed=False)
    ]
    complaints = Complaint.objects.filter(  # found true or partly true: RULES.md "Supervision"
        staff=staff,
        kind="complaint",
        outcome__in=("upheld", "partly_upheld"),
        filed_on__range=(START, END),
    ).count()
    days = [START + dt.timedelta(days=i) for i in range(30)]
    work = [d for d in days if is_workday(d)[0] and d <= today]
    present = Attendance.objects.filter(staff=staff, day__in=work).count()
    part = {  # None: no evidence, the component drops out of the weighted mean
        "cases": min(1, n / 20),
        "on_time": (len(done) - len(late)) / len(done) if done else None,
        "notice": max(0, 1 - flags / n) if n else None,
        "rating": sum(levels) / (5 * len(levels)) if levels else None,
        "complaints": max(0, 1 - 0.25 * complaints),
        "attendance": min(1, present / len(work)),
    }
    used = [k for k in WEIGHTS if part[k] is not None]
    score = (
        100
        * sum(WEIGHTS[k] * Decimal(str(part[k])) for k in used)
        / sum(Decimal(WEIGHTS[k]) for k in used)
    )
    return Decimal(score).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), {
        "cases": n,
        "late": len(late),
        "flags": flags,
        "present": present,
    }


def test_assessment_matches_raw_rows_and_subsidy_sums_to_budget(client, county, clock, immediate):
    c = county
    for day in range(1, 31):  # 汉王代办员 signs in on every working day of September
        if is_workday(dt.date(2026, 9, day))[0]:
            clock.set(dt.date(2026, 9, day), hour=8)
            services.attendance_sign(actor=c.a11.user, action="in")
    clock.set(dt.date(2026, 9, 21))
    on_time = _through_township(open_proxy_case(c.a11, immediate), c)
    on_time = case_transition(case=on_time, action="conclude", actor=c.t1_staff.user)
    slow = _through_township(open_proxy_case(c.a11, immediate, applicant_name="李四"), c)
    waiting = open_proxy_case(c.a11, immediate, applicant_name="王五")
    flag_raise(case=waiting, kind="repeated_notice", detail="第二次告知要求新材料")
    upheld = complaint_file(kind="complaint", unit=c.s12, content="态度差", staff=c.a12)
    complaint_decide(complaint=upheld, actor=c.t1_head.user, note="核实", outcome="upheld")
    unfounded = complaint_file(kind="complaint", unit=c.s12, content="没给办", staff=c.a12)
    complaint_decide(
        complaint=unfounded, actor=c.t1_head.user, note="符合规定", outcome="not_upheld"
    )
    complaint_file(kind="complaint", unit=c.s12, content="尚未核查", staff=c.a12)
    clock.set(dt.date(2026, 10, 9))  # well past the proxy limit (promised + 5 working days)
    slow = case_transition(case=slow, action="conclude", actor=c.t1_staff.user)
    rating_submit(case=on_time, level=4, channel="online")
    open_proxy_case(c.a12, immediate)
    complaint_file(kind="complaint", unit=c.s12, content="十月的投诉不计入九月", staff=c.a12)
    services.training_session_create(
        actor=c.admin.user,
        topic="代办业务",
        organiser=c.centre,
        date=dt.date(2026, 9, 10),
        hours=2,
        attendees=[c.a11],
    )
    clock.set(dt.date(2026, 10, 9))
    rows = services.assessment_run(actor=c.admin.user, start=START, end=END)
    by = {a.staff.user.username: a for a in rows}
    # Every agent and window staff member of the county, nobody else.
    assessed = {
        s.user.username
        for s in Staff.objects.all()
        if s.has_role(RoleCode.AGENT, RoleCode.WINDOW_STAFF)
    }
    assert set(by) == assessed
    for username in ("v0101-agent", "v0102-agent", "v0201-agent", "t01-staff"):
        staff = Staff.objects.get(user__username=username)
        score, raw = expected(staff, dt.date(2026, 10, 9))
        a = by[username]
        assert a.score == score, username
        assert a.metrics["cases"] == raw["cases"] and a.metrics["late"] == raw["late"]
        assert a.metrics["notice_flags"] == raw["flags"] and a.metrics["present"] == raw["present"]
    a11 = by["v0101-agent"]
    assert a11.metrics["cases"] == 3 and a11.metrics["late"] == 1 and a11.metrics["ratings"] == 1
    # Training attended is shown, not scored (RULES.md "Training": a duty of the organisers).
    assert a11.metrics["trainings"] == 1 and "training" not in a11.components
    assert set(a11.case_ids) == {on_time.pk, slow.pk, waiting.pk}
    # Of three September complaints against 汉二代办员 only the one found true counts.
    assert by["v0102-agent"].metrics["complaints"] == 1
    assert by["v0102-agent"].metrics["complaint_rule"] == "upheld"

    # The head documents an adjustment; a rerun keeps it; bounds and rights are checked.
    with pytest.raises(PermissionDenied):
        services.assessment_adjust(assessment=a11, points=5, reason="x", actor=c.a12.user)
    with pytest.raises(ValidationFailed):
        services.assessment_adjust(assessment=a11, points=11, reason="x", actor=c.t1_head.user)
    with pytest.raises(ValidationFailed):
        services.assessment_adjust(assessment=a11, points=3, reason=" ", actor=c.t1_head.user)
    adj = services.assessment_adjust(
        assessment=a11, points="5", reason="汛期冒雨送达", actor=c.t1_head.user
    )
    assert adj.final_score == min(Decimal(100), a11.score + 5)
    again = {
        a.staff_id: a for a in services.assessment_run(actor=c.admin.user, start=START, end=END)
    }
    assert (
        again[c.a11.pk].adjustment == Decimal("5")
        and again[c.a11.pk].final_score == adj.final_score
    )

    # Subsidy: 20,000 per assessed agent by default, split to the fen, summing exactly.
    plan = services.subsidy_allocate(actor=c.admin.user, county=c.county, year=2026)
    agents = [s for s in assessed if "agent" in s]
    assert plan.budget == Decimal(20000) * len(agents)
    lines = list(plan.lines.all())
    assert len(lines) == len(agents) and sum(x.amount for x in lines) == plan.budget
    factors = {
        "excellent": Decimal("1.2"),
        "good": Decimal(1),
        "pass": Decimal("0.8"),
        "fail": Decimal(0),
    }
    for line in lines:  # points = grade factor x (10 base points + cases)
        assert line.points == (factors[line.grade] * (10 + line.cases)).quantize(Decimal("0.01"))
    total = sum(x.points for x in lines)
    for line in lines:  # each share within a fen of its exact proportion
        assert abs(line.amount - plan.budget * line.points / total) < Decimal("0.01")
    # An agent with no work at all fails and gets nothing.
    assert again[c.a22.pk].grade == "fail" and plan.lines.get(staff=c.a22).amount == 0
    plan = services.subsidy_allocate(
        actor=c.admin.user, county=c.county, year=2026, budget="10000.03"
    )
    assert sum(x.amount for x in plan.lines.all()) == Decimal("10000.03")
    with pytest.raises(PermissionDenied):
        services.subsidy_allocate(actor=c.t1_head.user, county=c.county, year=2026)

    client.force_login(c.admin.user)
    r = client.get(f"/staffing/subsidy/{plan.pk}/?format=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    body = list(ws.iter_rows(min_row=3, values_only=True))
    amounts = [Decimal(str(row[6])) for row in body[:-1]]
    assert len(amounts) == len(agents)
    assert sum(amounts) == Decimal("10000.03") and Decimal(str(body[-1][6])) == Decimal("10000.03")

    # Every figure is traceable: the detail page lists the cases behind it.
    page = client.get(f"/staffing/assessment/{a11.pk}/").content.decode()
    for case in (on_time, slow, waiting):
        assert case.number in page
    assert "汛期冒雨送达" in page
    client.force_login(c.a21.user)
    assert client.get(f"/staffing/assessment/{a11.pk}/").status_code == 403


def test_allocation_is_exact_and_deterministic():
    split = allocate(Decimal("100.00"), [(3, Decimal(1)), (1, Decimal(1)), (2, Decimal(1))])
    assert split == {1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}
    split = allocate(
        Decimal("20000"), [(1, Decimal("12.5")), (2, Decimal("0")), (3, Decimal("7.3"))]
    )
    assert sum(split.values()) == Decimal("20000") and split[2] == 0
    with pytest.raises(ValidationFailed):
        allocate(Decimal("1"), [(1, Decimal(0))])
