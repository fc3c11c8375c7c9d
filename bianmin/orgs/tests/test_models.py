import pytest
from django.core.exceptions import ValidationError

from bianmin.orgs import services as org
from bianmin.orgs.models import UnitKind, WindowType


def test_region_codes_follow_the_statistical_ranges(county):
    assert county.t1.kind_label == "镇"
    assert county.v11.kind_label == "村"
    assert county.v11.level == "village"
    with pytest.raises(ValidationError):
        org.region_create(code="610702700000", name="超范围乡", parent=county.county)  # 700 > 599
    with pytest.raises(ValidationError):
        org.region_create(code="610702100500", name="超范围村", parent=county.t1)  # 500 > 399
    with pytest.raises(ValidationError):  # village whose parent is another township
        org.region_create(code="610702100203", name="错挂村", parent=county.t2)
    with pytest.raises(ValidationError):
        org.region_create(code="61070210020", name="短码", parent=county.t1)


def test_unit_under_wrong_parent_is_refused(county):
    with pytest.raises(ValidationError) as e:
        org.unit_create(
            name="错站",
            kind=UnitKind.VILLAGE_STATION,
            region=county.v21,
            code="X1",
            parent=county.tc1,
        )
    assert "parent" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        org.unit_create(
            name="错层",
            kind=UnitKind.TOWNSHIP_CENTRE,
            region=county.v11,
            code="X2",
            parent=county.centre,
        )
    assert "region" in e.value.message_dict
    with pytest.raises(ValidationError):
        org.unit_create(
            name="无类型窗口", kind=UnitKind.WINDOW, region=county.t1, code="X3", parent=county.tc1
        )
    ok = org.unit_create(
        name="乡镇综合窗口",
        kind=UnitKind.WINDOW,
        window_type=WindowType.GENERAL,
        region=county.t1,
        code="X4",
        parent=county.tc1,
    )
    assert ok.tier == "township"


def test_backup_must_be_a_colleague(county):
    org.staff_set_backup(staff=county.t1_staff, backup=county.t1_head)
    with pytest.raises(ValidationError):
        org.staff_set_backup(staff=county.t1_staff, backup=county.t2_staff)
