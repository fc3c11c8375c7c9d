"""The five classes walked through the services, withdrawal, decline, scope and numbers."""

import pytest

from bianmin.cases.models import Case, FlagKind, State, SubReview, SupervisionFlag
from bianmin.cases.numbers import case_number_new, case_number_valid, check_char
from bianmin.cases.routing import route_path
from bianmin.cases.selectors import work_queues
from bianmin.cases.tests.conftest import signature_png
from bianmin.cases.tests.helpers import do, promised_at, register
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed
from bianmin.workdays.calendar import add_workdays

SIGN = {"signature": signature_png(), "signed_by_name": "张三"}


def test_immediate_accept_and_conclude_at_once(county, items):
    c = county
    case = do(register(c, items.immediate), "accept", c.t1_staff)
    assert case.promised_due == case.accepted_on  # promised limit 0: the same day
    case = do(case, "conclude", c.t1_staff)
    assert (case.state, case.approved, case.concluded_on) == (
        State.CONCLUDED,
        True,
        case.accepted_on,
    )
    case = do(case, "deliver", c.t1_staff, **SIGN)
    assert case.state == State.CLOSED


def test_promised_accept_review_decide_conclude(county, items):
    case = promised_at(county, items, "closed")
    assert case.approved is True and case.certificate_number == "Z-1"
    assert case.events.count() == 10


def test_joint_parallel_reviews_refusal_visible_and_blocks_approval(county, items):
    c = county
    case = do(register(c, items.joint), "accept", c.t1_staff)
    case = do(do(case, "forward", c.t1_staff), "receive", c.land)
    case = do(case, "review", c.land)
    assert case.state == State.JOINT_REVIEW
    assert set(case.subreviews.values_list("unit", flat=True)) == {
        c.dept_civil.pk,
        c.dept_social.pk,
    }
    with pytest.raises(Conflict):
        do(case, "decide", c.land, approved=True)  # not all have answered
    with pytest.raises(Conflict):
        do(case, "opine", c.land, approved=True)  # the lead has no sub-review of its own
    case = do(case, "opine", c.civil, approved=True)
    with pytest.raises(Conflict):
        do(case, "opine", c.civil, approved=False, reasons="改主意")  # answered once
    case = do(case, "opine", c.social, approved=False, reasons="社保信息不符")
    refused = case.subreviews.get(unit=c.dept_social)
    assert refused.opinion == SubReview.Opinion.REFUSED and refused.opinion_text == "社保信息不符"
    with pytest.raises(Conflict) as e:
        do(case, "decide", c.land, approved=True)
    assert e.value.code == "joint_refused"
    case = do(case, "decide", c.land, approved=False, reasons="人社局不同意")
    case = do(do(case, "conclude", c.land), "hand_back", c.land)
    assert case.current_unit == c.tc1


def test_joint_department_may_ask_for_supplements(county, items):
    c = county
    case = do(register(c, items.joint), "accept", c.t1_staff)
    case = do(do(do(case, "forward", c.t1_staff), "receive", c.land), "review", c.land)
    mid = items.joint.materials.get().pk
    case = do(case, "notify_missing", c.social, materials=[mid])
    assert case.state == State.AWAITING_MATERIALS
    case = do(case, "supplement", c.t1_staff)
    assert case.state == State.JOINT_REVIEW


def test_escalated_is_followed_to_the_end(county, items):
    c = county
    case = do(register(c, items.escalated), "accept", c.t1_staff)
    case = do(do(case, "forward", c.t1_staff), "receive", c.social)
    case = do(do(case, "review", c.social), "decide", c.social, approved=True)
    case = do(do(case, "conclude", c.social), "hand_back", c.social)
    # The accepting township still sees it throughout, and gets the result back.
    assert Case.objects.filter(pk=case.pk).count() == 1
    case = do(case, "receive", c.t1_staff)
    assert case.state == State.TO_DELIVER


def test_reply_can_only_refuse_with_reasons(county, items):
    c = county
    case = do(do(register(c, items.reply), "accept", c.t1_staff), "review", c.t1_staff)
    with pytest.raises(Conflict):
        do(case, "decide", c.t1_staff, approved=True)
    with pytest.raises(ValidationFailed):
        do(case, "decide", c.t1_staff, approved=False, reasons="")
    assert SupervisionFlag.objects.get(case=case).kind == FlagKind.NO_REASONS
    case = do(case, "decide", c.t1_staff, approved=False, reasons="不属于本机关职责")
    assert case.reasons == "不属于本机关职责"


def test_decline_needs_written_reasons(county, items):
    c = county
    case = register(c, items.promised)
    with pytest.raises(ValidationFailed) as e:
        do(case, "decline", c.t1_staff)
    assert e.value.field == "reasons"
    case = do(case, "decline", c.t1_staff, reasons="不属于本机关受理范围")
    assert case.state == State.DECLINED and case.reasons


@pytest.mark.parametrize(
    "state", ["submitted", "awaiting_materials", "reviewed", "suspended", "decided"]
)
def test_withdrawal_until_conclusion(county, items, state):
    case = promised_at(county, items, state)
    case = do(case, "withdraw", county.t1_staff, reason="申请人撤回")
    assert case.state == State.WITHDRAWN
    assert not case.pauses.filter(ended_on=None).exists()


def test_no_withdrawal_after_conclusion(county, items):
    case = promised_at(county, items, "concluded")
    with pytest.raises(Conflict):
        do(case, "withdraw", county.t1_staff)


def test_proxy_rules_at_intake(county, items):
    c = county
    with pytest.raises(ValidationFailed) as e:
        register(c, items.promised, staff=c.a11, channel="proxy")
    assert e.value.field == "entrustment_signed"
    with pytest.raises(PermissionDenied):
        register(
            c, items.promised, staff=c.a11, unit=c.s12, channel="proxy", entrustment_signed=True
        )
    case = register(c, items.promised, staff=c.a11, channel="proxy", entrustment_signed=True)
    assert case.fee_total == 0 and case.entrusted_at is not None
    # The proxy deadline is given at take-in: promised limit + 5 working days from today.
    assert case.proxy_due == add_workdays(case.submitted_on, 10 + 5).date
    assert case.accepting_unit == c.tc1 and case.deciding_unit == c.dept_civil
    # A township hall may take a proxy request itself (沂水 2016); its own window delivers.
    hall = register(c, items.promised, staff=c.t1_staff, channel="proxy", entrustment_signed=True)
    assert hall.intake_unit == c.tc1 and hall.accepting_unit == c.tc1 and hall.proxy_due


def test_outsiders_and_wrong_roles_are_refused(county, items):
    c = county
    case = register(c, items.promised, staff=c.a11, channel="proxy", entrustment_signed=True)
    with pytest.raises(PermissionDenied):
        do(case, "forward", c.a12)  # another village
    with pytest.raises(PermissionDenied):
        do(case, "decline", c.a11, reasons="x")  # agents do not decline
    case = do(case, "forward", c.a11)
    with pytest.raises(PermissionDenied):
        do(case, "receive", c.t2_staff)  # the other township
    with pytest.raises(Conflict) as e:
        do(do(case, "receive", c.t1_staff), "review", c.t1_staff)
    assert e.value.code == "illegal_transition"


def test_county_item_goes_from_village_through_township_to_department(county, items):
    c = county
    case = register(c, items.county_item, staff=c.a11, channel="proxy", entrustment_signed=True)
    with pytest.raises(Conflict) as e:
        do(case, "accept", c.a11)  # a village never accepts what is decided above it
    assert e.value.code == "not_now"
    assert [(u, part) for u, part in route_path(case)] == [
        (c.s11, "收件"),
        (c.tc1, "转报"),
        (c.dept_social, "受理、决定"),
    ]
    case = do(case, "forward", c.a11)
    assert case.current_unit == c.tc1  # the township centre first, not the department
    case = do(case, "receive", c.t1_staff)
    with pytest.raises(Conflict) as e:
        do(case, "accept", c.t1_staff)
    assert e.value.code == "not_now"
    case = do(do(case, "forward", c.t1_staff), "receive", c.social)
    case = do(case, "accept", c.social)
    assert case.current_unit == c.dept_social and case.state == State.ACCEPTED
    assert case.clock_started_on == case.accepted_on


def test_work_queues(county, items):
    c = county
    a = register(c, items.promised)
    b = do(register(c, items.promised), "accept", c.t1_staff)
    queues = work_queues(viewer=c.t1_staff.user)
    assert [x.pk for x in queues["to_accept"]["items"]] == [a.pk]
    # Accepted at the township (受理关口前移), decided by the county: to be referred up.
    assert [x.pk for x in queues["to_forward"]["items"]] == [b.pk]
    assert queues["to_review"]["count"] == 0
    assert work_queues(viewer=c.t2_staff.user)["to_accept"]["count"] == 0
    do(b, "forward", c.t1_staff)
    assert work_queues(viewer=c.civil.user)["to_receive"]["count"] == 1


def test_case_numbers_unique_printable_checked(county):
    from datetime import date

    numbers = {
        case_number_new(region_code="610702100201", day=date(2026, 11, 23)) for _ in range(500)
    }
    assert len(numbers) == 500
    for n in list(numbers)[:50]:
        assert n.startswith("HT-610702100201-20261123-") and len(n) == 35
        assert case_number_valid(n) and n.isascii() and n == n.upper()
        body, check = n[:-2], n[-1]
        assert check == check_char(body)
        wrong = body[:-1] + ("0" if body[-1] != "0" else "1") + "-" + check
        assert not case_number_valid(wrong)
        swapped = body[:-2] + body[-1] + body[-2] + "-" + check
        # Luhn mod 32 cannot see a 0 <-> Z swap (values 0 and 31), like Luhn's 09 <-> 90.
        undetectable = body[-1] == body[-2] or {body[-1], body[-2]} == {"0", "Z"}
        assert undetectable or not case_number_valid(swapped)
