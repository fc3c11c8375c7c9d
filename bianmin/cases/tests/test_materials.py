"""Materials check, one-time notice (art. 32), deferred materials and pledges."""

import pytest

from bianmin.cases.models import FlagKind, MaterialStatus, State, SupervisionFlag
from bianmin.cases.services import flags_sweep
from bianmin.cases.tests.conftest import all_provided, material_id
from bianmin.cases.tests.helpers import do, register
from bianmin.catalog.services import item_version_create, item_version_publish
from bianmin.common.errors import Conflict, ValidationFailed


def without(version, *names):
    spec = all_provided(version)
    for name in names:
        spec.pop(material_id(version, name))
    return spec


def test_missing_required_material_blocks_acceptance_and_notice_lists_exactly_it(county, items):
    c, v = county, items.promised
    case = register(c, v, materials=without(v, "申请表", "户口簿", "照片"))
    with pytest.raises(Conflict) as e:
        do(case, "accept", c.t1_staff)
    assert e.value.code == "materials_missing"
    assert e.value.extra["missing"] == ["申请表", "户口簿"]  # the optional photo does not block
    case = do(case, "notify_missing", c.t1_staff)
    assert case.state == State.AWAITING_MATERIALS
    notice = case.notices.get()
    assert [m["name"] for m in notice.materials] == ["申请表", "户口簿"]
    assert notice.number == f"{case.number}-N1"
    with pytest.raises(Conflict):
        do(case, "accept", c.t1_staff)
    case = do(case, "supplement", c.t1_staff)
    assert case.state == State.SUBMITTED
    assert not case.materials.filter(required=True, status=MaterialStatus.MISSING).exists()
    case = do(case, "accept", c.t1_staff)
    assert case.state == State.ACCEPTED


def test_complete_application_needs_no_notice(county, items):
    case = register(county, items.promised)
    with pytest.raises(ValidationFailed):
        do(case, "notify_missing", county.t1_staff)
    assert case.notices.count() == 0


def test_second_notice_with_a_new_material_is_refused_and_flagged(county, items):
    c, v = county, items.promised
    case = register(c, v, materials=without(v, "申请表"))
    case = do(case, "notify_missing", c.t1_staff)
    case = do(case, "supplement", c.t1_staff)
    # Asking again for the same material (it came defective) is still the first notice's list.
    case = do(case, "notify_missing", c.t1_staff, materials=[material_id(v, "申请表")])
    case = do(case, "supplement", c.t1_staff)
    with pytest.raises(Conflict) as e:
        do(case, "notify_missing", c.t1_staff, materials=[material_id(v, "居民身份证")])
    assert e.value.code == "repeated_notice" and "居民身份证" in e.value.message
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and case.notices.count() == 2
    flag = SupervisionFlag.objects.get(case=case)
    assert flag.kind == FlagKind.REPEATED_NOTICE and "居民身份证" in flag.detail


def test_second_notice_allowed_when_the_catalog_changed(county, items):
    c, v = county, items.promised
    case = register(c, v, materials=without(v, "申请表"))
    case = do(case, "notify_missing", c.t1_staff)
    case = do(case, "supplement", c.t1_staff)
    new = item_version_create(
        local_code="PRM001",
        **{
            f: getattr(v, f)
            for f in (
                "basic_code",
                "implementation_code",
                "name",
                "item_type",
                "service_objects",
                "power_source",
                "legal_basis",
                "case_class",
                "accept_tier",
                "decide_tier",
                "promised_limit",
                "statutory_limit",
                "village_proxy",
            )
        },
        implementing_unit=c.dept_civil,
    )
    item_version_publish(version=new)
    case = do(case, "notify_missing", c.t1_staff, materials=[material_id(v, "居民身份证")])
    assert case.state == State.AWAITING_MATERIALS
    assert not SupervisionFlag.objects.filter(case=case).exists()


def test_deferred_material_past_due_raises_a_flag_once(county, items, clock):
    c, v = county, items.promised
    spec = all_provided(v)
    spec[material_id(v, "户口簿")] = {
        "status": "deferred",
        "due_days": 3,
        "commitment": "三日内补交",
    }
    case = do(register(c, v, materials=spec), "accept", c.t1_staff)
    row = case.materials.get(name="户口簿")
    assert row.status == MaterialStatus.DEFERRED and row.due_on
    deferred = [f for f in flags_sweep(today=row.due_on) if f.kind == FlagKind.DEFERRED_OVERDUE]
    assert deferred == []  # (the township holding it past its step limit is another flag)
    clock.advance(4)
    flags = [f for f in flags_sweep() if f.kind == FlagKind.DEFERRED_OVERDUE]
    assert [(f.case_id, f.detail) for f in flags] == [(case.pk, flags[0].detail)]
    assert "户口簿" in flags[0].detail
    flags_sweep()
    assert SupervisionFlag.objects.filter(kind=FlagKind.DEFERRED_OVERDUE).count() == 1


def test_deferral_rules(county, items):
    c, v = county, items.promised
    for bad in (
        {material_id(v, "申请表"): {"status": "deferred", "due_days": 3, "commitment": "x"}},
        {material_id(v, "户口簿"): {"status": "deferred", "due_days": 11, "commitment": "x"}},
        {material_id(v, "户口簿"): {"status": "deferred", "due_days": 3}},
        {material_id(v, "申请表"): {"status": "pledged", "commitment": "x"}},
    ):
        with pytest.raises(ValidationFailed) as e:
            register(c, v, materials={**all_provided(v), **bad})
        assert e.value.field == "materials"


def test_false_pledge_terminates_or_revokes(county, items):
    c, v = county, items.promised
    spec = all_provided(v)
    spec[material_id(v, "收入证明")] = {"status": "pledged", "commitment": "本人承诺收入属实"}
    case = do(register(c, v, materials=spec), "accept", c.t1_staff)
    case = do(case, "pledge_false", c.t1_head, reason="核查发现有经营收入")
    assert case.state == State.TERMINATED
    assert SupervisionFlag.objects.get(case=case).kind == FlagKind.FALSE_PLEDGE


def test_unnoticed_application_counts_as_accepted_on_arrival(county, items, clock):
    c = county
    arrived = clock.set(clock.advance(0))
    case = register(c, items.promised)
    clock.advance(5)
    assert flags_sweep() == []  # five working days are allowed
    assert flags_sweep() == []
    clock.advance(1)
    flags = [f for f in flags_sweep() if f.kind == FlagKind.DEEMED_ACCEPTED]
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.deemed_accepted
    assert case.accepted_on == arrived
    assert [f.kind for f in flags] == [FlagKind.DEEMED_ACCEPTED]
    assert case.events.last().action == "deem_accept" and case.events.last().actor is None
