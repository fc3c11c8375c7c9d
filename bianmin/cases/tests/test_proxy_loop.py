"""The proxy loop: village -> township -> county -> back to the village -> delivered."""

from bianmin.cases.models import Case, Custody, State
from bianmin.cases.selectors import case_holdings
from bianmin.cases.services import case_register, case_transition
from bianmin.cases.tests.conftest import PERSON, all_provided, signature_png
from bianmin.workdays.calendar import add_workdays


def step(case, action, staff, **kw):
    return case_transition(case=case, action=action, actor=staff.user, **kw)


def test_proxy_loop_village_township_county_back_delivered(county, items, clock):
    c = county
    v = items.promised
    case = case_register(
        actor=c.a11.user,
        item_version=v,
        channel="proxy",
        materials=all_provided(v),
        entrustment_signed=True,
        entrustment_text="委托代办低保申请",
        **PERSON,
    )
    assert case.state == State.SUBMITTED and case.agent == c.a11
    assert case.intake_unit == c.s11 and case.deciding_unit == c.dept_civil
    assert case.accepting_unit == c.tc1  # 受理关口前移: the county lets the township accept
    assert case.first_responder == c.a11.user and case.region == c.v11
    # The applicant is given the proxy deadline at take-in: promised 10 + 5 working days.
    taken_in = case.submitted_on
    assert case.proxy_due == add_workdays(taken_in, 15).date

    case = step(case, "forward", c.a11)
    assert case.state == State.FORWARDED and case.current_unit == c.tc1
    clock.advance(1)
    case = step(case, "receive", c.t1_staff)
    assert case.state == State.SUBMITTED
    case = step(case, "accept", c.t1_staff)
    assert case.state == State.ACCEPTED and case.accepted_on is not None
    # The department's clock has not started: relay days never count against it.
    assert case.clock_started_on is None and case.promised_due is None
    clock.advance(2)  # the township holds it two working days before sending it up
    case = step(case, "forward", c.t1_staff)
    assert case.state == State.REFERRED and case.current_unit == c.dept_civil
    day = clock.advance(1)
    case = step(case, "receive", c.civil)
    assert case.state == State.ACCEPTED
    assert case.clock_started_on == day
    assert case.promised_due == add_workdays(day, 10).date
    assert case.statutory_due == add_workdays(day, 20).date
    assert case.proxy_due == add_workdays(taken_in, 15).date  # relay days count here
    case = step(case, "review", c.civil)
    case = step(case, "decide", c.civil, approved=True)
    assert case.state == State.DECIDED and case.delivery_due
    case = step(case, "conclude", c.civil, certificate_number="DB-2026-0001")
    assert case.state == State.CONCLUDED and case.certificate_number == "DB-2026-0001"
    # The result comes back the same way: through the township centre to the station.
    case = step(case, "hand_back", c.civil)
    assert case.state == State.RETURNING and case.current_unit == c.tc1
    case = step(case, "receive", c.t1_staff)
    assert case.state == State.TO_DELIVER and case.current_unit == c.tc1
    case = step(case, "hand_back", c.t1_staff)
    assert case.state == State.RETURNING and case.current_unit == c.s11
    clock.advance(1)
    case = step(case, "receive", c.a11)
    assert case.state == State.TO_DELIVER
    case = step(
        case,
        "deliver",
        c.a11,
        signature=signature_png(),
        signed_by_name="张三",
        feedback="满意",
    )
    assert case.state == State.CLOSED
    assert case.delivery.signature.read().startswith(b"\x89PNG")

    hops = list(Custody.objects.filter(case=case).values_list("from_unit", "to_unit"))
    assert hops == [
        (None, c.s11.pk),
        (c.s11.pk, c.tc1.pk),
        (c.tc1.pk, c.dept_civil.pk),
        (c.dept_civil.pk, c.tc1.pk),
        (c.tc1.pk, c.s11.pk),
    ]
    assert all(h.received_at for h in Custody.objects.filter(case=case))
    held = case_holdings(case=case)
    assert [h.hop.to_unit.name for h in held] == [
        "汉王村便民服务站",
        "武乡镇便民服务中心",
        "区民政局",
        "武乡镇便民服务中心",
        "汉王村便民服务站",
    ]
    assert [h.workdays for h in held[:3]] == [0, 2, 0]
    # One case all the way: never duplicated.
    assert Case.objects.count() == 1
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "entrust",
        "forward",
        "receive",
        "accept",
        "forward",
        "receive",
        "review",
        "decide",
        "conclude",
        "hand_back",
        "receive",
        "hand_back",
        "receive",
        "deliver",
    ]
    steps = list(case.steps.values_list("name", "finished_on"))
    assert [s[0] for s in steps] == ["受理", "审核", "决定"] and all(s[1] for s in steps)
