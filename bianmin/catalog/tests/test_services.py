from decimal import Decimal

import pytest

from bianmin.catalog.models import CaseClass, Item, ItemVersion, Material
from bianmin.catalog.services import (
    item_retire,
    item_version_publish,
    item_version_revise,
    version_snapshot,
)
from bianmin.common.errors import Conflict, ValidationFailed

from .conftest import make_item


def test_create_then_publish_sets_current_version(county):
    v = make_item(county, publish=False)
    assert v.status == ItemVersion.Status.DRAFT and v.number == 1
    assert Item.objects.get(pk=v.item_id).published_version is None
    item_version_publish(version=v, actor=county.admin.user)
    v.refresh_from_db()
    assert v.status == ItemVersion.Status.PUBLISHED
    assert v.published_by == county.admin.user and v.published_at is not None
    assert v.item.published_version == v
    assert [m.name for m in v.materials.all()] == ["居民身份证", "户口簿", "家庭收入情况声明"]
    assert [s.position for s in v.steps.all()] == [1, 2, 3]


def test_promised_longer_than_statutory_is_refused(county):
    with pytest.raises(ValidationFailed) as exc:
        make_item(county, local_code="X", promised_limit=31)
    assert exc.value.field == "promised_limit"
    assert "承诺时限不得超过法定时限" in exc.value.message
    assert not Item.objects.filter(local_code="X").exists()


def test_zero_fee_is_allowed_negative_fee_refused(county):
    v = make_item(county, fees=[{"name": "工本费", "amount": Decimal("0")}])
    assert v.is_free
    with pytest.raises(ValidationFailed):
        make_item(county, local_code="NEG", fees=[{"name": "工本费", "amount": Decimal("-1")}])
    assert not Item.objects.filter(local_code="NEG").exists()


@pytest.mark.parametrize("name", ["代办费", "代办服务费", "村级代办费"])
def test_proxy_fee_is_never_allowed(county, name):
    with pytest.raises(ValidationFailed) as exc:
        make_item(county, fees=[{"name": name, "amount": Decimal("0")}], publish=False)
    assert "代办服务一律免费" in exc.value.message


def test_revise_makes_new_draft_and_keeps_old_version_intact(county):
    v1 = make_item(county)
    before = version_snapshot(v1)
    v2 = item_version_revise(
        item=v1.item,
        actor=county.admin.user,
        changes={"promised_limit": 10, "name": "最低生活保障审核确认（新）"},
        materials=[{"name": "居民身份证", "originals": 1, "copies": 1}],
    )
    assert v2.number == 2 and v2.status == ItemVersion.Status.DRAFT
    assert v2.promised_limit == 10 and [m.name for m in v2.materials.all()] == ["居民身份证"]
    # steps were not given: copied
    assert [s.name for s in v2.steps.all()] == ["受理", "审核", "审批"]
    v1.refresh_from_db()
    assert v1.status == ItemVersion.Status.PUBLISHED and version_snapshot(v1) == before
    # the public still sees v1 until v2 is published
    assert v1.item.published_version_id == v1.pk
    item_version_publish(version=v2, actor=county.admin.user)
    v1.refresh_from_db()
    assert v1.status == ItemVersion.Status.SUPERSEDED and version_snapshot(v1) == before
    assert Item.objects.get(pk=v1.item_id).published_version_id == v2.pk


def test_revise_copies_joint_units(county):
    v1 = make_item(
        county, case_class=CaseClass.JOINT, joint_units=[county.dept_land, county.dept_social]
    )
    v2 = item_version_revise(item=v1.item, actor=None, changes={"notes": "调整"})
    assert {u.code for u in v2.joint_units.all()} == {"D-ZR", "D-RS"}
    v3 = item_version_revise(item=v1.item, actor=None, changes={}, joint_units=[county.dept_land])
    assert [u.code for u in v3.joint_units.all()] == ["D-ZR"]


def test_revise_refuses_lifecycle_fields(county):
    v1 = make_item(county)
    with pytest.raises(ValidationFailed):
        item_version_revise(item=v1.item, actor=None, changes={"status": "published"})


def test_published_version_cannot_be_saved(county):
    v = make_item(county)
    v.name = "偷改"
    with pytest.raises(Conflict):
        v.save()
    m = v.materials.first()
    m.name = "偷改"
    with pytest.raises(Conflict):
        m.save()
    with pytest.raises(Conflict):
        Material(version=v, name="新增").save()
    assert ItemVersion.objects.get(pk=v.pk).name == "最低生活保障审核确认"


def test_draft_can_be_edited_in_place(county):
    v = make_item(county, publish=False)
    v.name = "修改草稿"
    v.save()
    assert ItemVersion.objects.get(pk=v.pk).name == "修改草稿"


def test_publish_twice_or_older_draft_is_conflict(county):
    v1 = make_item(county)
    with pytest.raises(Conflict):
        item_version_publish(version=v1, actor=None)
    v2 = item_version_revise(item=v1.item, actor=None, changes={"notes": "a"})
    v3 = item_version_revise(item=v1.item, actor=None, changes={"notes": "b"})
    item_version_publish(version=v3, actor=None)
    with pytest.raises(Conflict):
        item_version_publish(version=v2, actor=None)
    assert Item.objects.get(pk=v1.item_id).published_version_id == v3.pk


def test_joint_item_needs_joint_units_to_publish(county):
    v = make_item(county, case_class=CaseClass.JOINT, publish=False)
    with pytest.raises(ValidationFailed) as exc:
        item_version_publish(version=v, actor=None)
    assert exc.value.field == "joint_units"
    v.refresh_from_db()
    assert v.status == ItemVersion.Status.DRAFT


def test_pledgeable_material_needs_pledge_allowed(county):
    v = make_item(
        county,
        publish=False,
        materials=[{"name": "无犯罪记录证明", "pledgeable": True}],
    )
    with pytest.raises(ValidationFailed) as exc:
        item_version_publish(version=v, actor=None)
    assert exc.value.field == "materials"


def test_retire_hides_item_and_keeps_versions(county):
    v = make_item(county)
    item_retire(item=v.item, actor=county.admin.user, reason="事项取消")
    v.refresh_from_db()
    item = Item.objects.get(pk=v.item_id)
    assert v.status == ItemVersion.Status.RETIRED and item.published_version is None
    assert item.retired_reason == "事项取消" and item.retired_by == county.admin.user
    with pytest.raises(Conflict):
        item_retire(item=item, actor=None)
    # a new version brings it back
    v2 = item_version_revise(item=item, actor=None, changes={})
    item_version_publish(version=v2, actor=None)
    item.refresh_from_db()
    assert item.retired_at is None and item.published_version_id == v2.pk
