"""Online applications: the case opens at submission, the applicant supplements, art. 32 runs."""

import datetime as dt

import pytest

from bianmin.cases.models import Case, CaseEvent, FlagKind, State, SupervisionFlag
from bianmin.cases.services import (
    case_register,
    case_submit_online,
    case_supplement_online,
    case_transition,
    flags_sweep,
)
from bianmin.cases.tests.conftest import PERSON, _item, material_id
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed
from bianmin.workdays.calendar import add_workdays

MATERIALS = [
    {"name": "申请表", "required": True},
    {"name": "居民身份证", "required": True},
    {"name": "照片", "required": False},
]


@pytest.fixture
def online_item(county):
    return _item(
        "ONL001",
        county,
        name="城乡居民养老保险登记",
        case_class="promised",
        accept_tier="township",
        decide_tier="township",
        implementing_unit=county.tc1,
        promised_limit=5,
        statutory_limit=20,
        online=True,
        materials=MATERIALS,
        steps=[],
    )


def submit(county, version, **kw):
    uploads = kw.pop("uploads", {material_id(version, "申请表"): "申请表.pdf"})
    return case_submit_online(
        item_version=version, unit=county.tc1, uploads=uploads, **{**PERSON, **kw}
    )


def test_submission_opens_the_case_with_no_staff_actor(county, online_item, clock):
    case = submit(county, online_item)
    assert (case.state, case.channel, case.submitted_on) == (
        State.SUBMITTED,
        "online",
        dt.date(2026, 11, 23),
    )
    assert case.first_responder is None and case.current_unit == county.tc1
    event = case.events.get()
    assert (event.action, event.actor_id, event.actor_name) == ("register", None, "申请人(网上)")
    assert event.data["files"] == {str(material_id(online_item, "申请表")): "申请表.pdf"}
    custody = case.custodies.get()
    assert custody.sent_by is None and custody.received_at is not None
    statuses = dict(case.materials.values_list("name", "status"))
    assert statuses == {"申请表": "provided", "居民身份证": "missing", "照片": "missing"}


def test_refusals_name_the_field_and_save_nothing(county, online_item, items):
    with pytest.raises(ValidationFailed) as e:
        submit(county, online_item, id_number="110105194912310021")
    assert e.value.field == "id_number"
    with pytest.raises(ValidationFailed) as e:
        submit(county, items.promised, uploads={})  # not an online item
    assert e.value.field == "item_version"
    with pytest.raises(ValidationFailed) as e:
        case_register(
            actor=county.t1_staff.user, item_version=online_item, channel="online", **PERSON
        )
    assert e.value.field == "channel"  # staff cannot open an online case in the applicant's name
    assert not Case.objects.exists()


def test_pre_review_sets_the_first_responder_and_the_applicant_supplements(
    county, online_item, clock
):
    c = county
    case = submit(c, online_item)
    case = case_transition(case=case, action="notify_missing", actor=c.t1_staff.user)
    assert case.state == State.AWAITING_MATERIALS and case.first_responder == c.t1_staff.user
    notice_event = case.events.get(action="notify_missing")
    assert notice_event.data["first_responder"] == "武乡窗口"
    # A staff work lock does not keep the applicant from answering.
    case = case_transition(case=case, action="assign", actor=c.t1_head.user)
    assert case.first_responder == c.t1_staff.user  # the first one stays
    idcard = material_id(online_item, "居民身份证")
    with pytest.raises(PermissionDenied):
        case_supplement_online(case=case, phone_tail="9999", uploads={idcard: "sfz.pdf"})
    with pytest.raises(ValidationFailed):  # the photo is not on the notice
        case_supplement_online(
            case=case, phone_tail="0001", uploads={material_id(online_item, "照片"): "p.jpg"}
        )
    case = case_supplement_online(case=case, phone_tail="0001", uploads={idcard: "sfz.pdf"})
    assert case.state == State.SUBMITTED
    event = case.events.order_by("-seq").first()
    assert (event.action, event.actor_id, event.actor_name) == ("supplement", None, "申请人(网上)")
    assert event.data["files"] == {str(idcard): "sfz.pdf"}
    assert not case.pauses.filter(ended_on=None).exists()
    with pytest.raises(Conflict):  # nothing is waiting any more
        case_supplement_online(case=case, phone_tail="0001", uploads={idcard: "sfz.pdf"})
    case = case_transition(case=case, action="release", actor=c.t1_head.user)
    case = case_transition(case=case, action="accept", actor=c.t1_staff.user)
    assert case.state == State.ACCEPTED and case.promised_due is not None


def test_every_listed_material_comes_at_once(county, online_item):
    c = county
    version = online_item
    case = submit(c, version, uploads={material_id(version, "照片"): "p.jpg"})
    case = case_transition(case=case, action="notify_missing", actor=c.t1_staff.user)
    form = material_id(version, "申请表")
    with pytest.raises(ValidationFailed) as e:
        case_supplement_online(case=case, phone_tail="0001", uploads={form: "f.pdf"})
    assert "居民身份证" in e.value.message
    assert case.events.filter(action="supplement").count() == 0


def test_the_applicant_takes_no_other_action(county, online_item):
    from bianmin.cases.actors import ApplicantActor

    case = submit(county, online_item)
    for action in ("accept", "withdraw", "notify_missing"):
        with pytest.raises(PermissionDenied):
            case_transition(case=case, action=action, actor=ApplicantActor(case_id=case.pk))
    case = case_transition(case=case, action="notify_missing", actor=county.t1_staff.user)
    other = submit(county, online_item)
    with pytest.raises(PermissionDenied):  # proven for another case
        case_transition(case=case, action="supplement", actor=ApplicantActor(case_id=other.pk))


def test_unanswered_online_application_is_deemed_accepted_on_arrival(county, online_item, clock):
    arrived = clock.set(dt.date(2026, 11, 23))
    case = submit(county, online_item)
    fifth = add_workdays(arrived, 5).date
    assert flags_sweep(today=fifth) == []
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    raised = flags_sweep(today=add_workdays(arrived, 6).date)
    case.refresh_from_db()
    assert [f.kind for f in raised] == [FlagKind.DEEMED_ACCEPTED]
    assert (case.state, case.accepted_on, case.deemed_accepted) == (State.ACCEPTED, arrived, True)
    assert case.first_responder is None  # nobody handled it: that is what was flagged
    assert CaseEvent.objects.filter(case=case, action="deem_accept").exists()
    flags_sweep(today=add_workdays(arrived, 7).date)
    assert SupervisionFlag.objects.filter(case=case).count() == 1


def test_a_noticed_online_application_is_not_deemed_accepted(county, online_item, clock):
    arrived = clock.set(dt.date(2026, 11, 23))
    case = submit(county, online_item)
    case_transition(case=case, action="notify_missing", actor=county.t1_staff.user)
    flags_sweep(today=add_workdays(arrived, 10).date)
    case.refresh_from_db()
    assert case.state == State.AWAITING_MATERIALS and not case.flags.exists()
