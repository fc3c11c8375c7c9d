import io

import pytest
from openpyxl import load_workbook

from bianmin.catalog.importexport import (
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    catalog_export,
    catalog_import,
    catalog_versions,
    version_content,
)
from bianmin.catalog.models import Fee, Item, ItemVersion, Material, StepTemplate
from bianmin.catalog.services import (
    CONTENT_FIELDS,
    FEE_FIELDS,
    MATERIAL_FIELDS,
    STEP_FIELDS,
)
from bianmin.common.errors import ValidationFailed


def whole_catalog() -> dict:
    return {v.item.local_code: version_content(v) for v in catalog_versions()}


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cells(data: bytes) -> dict:
    wb = workbook(data)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def wipe_catalog():
    """A fresh catalog (units and staff stay): test setup only, the app never deletes items."""
    Item.objects.update(published_version=None)
    ItemVersion.objects.all().delete()
    Item.objects.all().delete()


def header_index(ws) -> dict:
    return {c.value: c.column for c in ws[1]}


def test_every_content_field_has_a_column():
    item_attrs = {c.attr for c in ITEM_COLUMNS} - {"local_code"}
    assert item_attrs == set(CONTENT_FIELDS) | {"joint_units"}
    assert {c.attr for c in MATERIAL_COLUMNS} - {"local_code"} == set(MATERIAL_FIELDS)
    from bianmin.catalog.importexport import FEE_COLUMNS, STEP_COLUMNS

    assert {c.attr for c in FEE_COLUMNS} - {"local_code"} == set(FEE_FIELDS)
    assert {c.attr for c in STEP_COLUMNS} - {"local_code"} == set(STEP_FIELDS)


def test_export_layout(catalog):
    data = catalog_export()
    sheets = cells(data)
    assert list(sheets)[:4] == ["事项", "材料", "收费", "环节"]
    items = sheets["事项"]
    assert items[0][:4] == ["本地编码", "基本编码", "实施编码", "事项名称"]
    by_code = {row[0]: dict(zip(items[0], row, strict=True)) for row in items[1:]}
    # drafts are part of the working catalog export
    assert set(by_code) == {"CJ-001", "LY-001", "MZ-001", "RS-001", "ZR-001"}
    zr = by_code["ZR-001"]
    assert zr["事项类型"] == "01" and zr["联办部门"] == "D-MZ、D-RS"
    assert zr["实施主体"] == "D-ZR" and zr["主题(人生事件)"] == "housing、farming"
    assert zr["村级可代办"] == "是" and zr["可网上申报"] == "否"
    assert zr["承诺办结时限(工作日)"] == 20
    fees = sheets["收费"]
    assert ["LY-001", "林木采伐许可证工本费", 5.0, "每证", None] in fees
    published = cells(catalog_export(published_only=True))
    assert "RS-001" not in {r[0] for r in published["事项"][1:]}


def test_round_trip_into_fresh_catalog(catalog, tmp_path):
    before = whole_catalog()
    path = tmp_path / "catalog.xlsx"
    catalog_export(target=path)
    wipe_catalog()
    assert not Item.objects.exists()
    result = catalog_import(source=path, actor=catalog.admin.user, publish=True)
    assert sorted(result.created) == sorted(before)
    assert whole_catalog() == before
    assert Item.objects.filter(published_version__isnull=False).count() == 5
    # and the file written again from the imported catalog holds the same cells
    assert cells(catalog_export()) == cells(path.read_bytes())


def test_reimport_unchanged_creates_nothing(catalog):
    data = catalog_export()
    versions = ItemVersion.objects.count()
    result = catalog_import(source=data, actor=None)
    assert result.created == [] and sorted(result.unchanged) == [
        "CJ-001",
        "LY-001",
        "MZ-001",
        "RS-001",
        "ZR-001",
    ]
    assert ItemVersion.objects.count() == versions


def test_changed_item_gets_new_draft_old_version_intact(catalog):
    old = version_content(catalog.dibao)
    wb = workbook(catalog_export())
    ws = wb["事项"]
    col = header_index(ws)
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "MZ-001":
            row[col["承诺办结时限(工作日)"] - 1].value = 15
    ws = wb["材料"]
    ws.append(["MZ-001", 4, "银行账户信息", "是", "否", "否", 0, 1, "", "", "", ""])
    result = catalog_import(source=save(wb), actor=catalog.admin.user)
    assert result.created == ["MZ-001"] and result.published == []
    item = Item.objects.get(local_code="MZ-001")
    newest = item.versions.order_by("-number").first()
    assert newest.number == 2 and newest.status == ItemVersion.Status.DRAFT
    assert newest.promised_limit == 15
    assert [m.name for m in newest.materials.all()][-1] == "银行账户信息"
    catalog.dibao.refresh_from_db()
    assert catalog.dibao.status == ItemVersion.Status.PUBLISHED
    assert version_content(catalog.dibao) == old
    assert item.published_version_id == catalog.dibao.pk


def test_import_with_publish_publishes_changed_items(catalog):
    wb = workbook(catalog_export(published_only=True))
    ws = wb["事项"]
    col = header_index(ws)
    ws.cell(row=2, column=col["备注"], value="2027年起执行新标准")
    code = ws.cell(row=2, column=1).value
    result = catalog_import(source=save(wb), actor=catalog.admin.user, publish=True)
    assert result.created == [code] and result.published == [code]
    assert Item.objects.get(local_code=code).published_version.notes == "2027年起执行新标准"


def broken_rows(data: bytes, edits) -> bytes:
    wb = workbook(data)
    for sheet, row, header, value in edits:
        ws = wb[sheet]
        ws.cell(row=row, column=header_index(ws)[header], value=value)
    return save(wb)


def import_errors(data: bytes, **kw) -> list[dict]:
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(source=data, actor=None, **kw)
    assert "未导入任何内容" in exc.value.message
    return exc.value.extra["errors"]


def test_broken_row_imports_nothing_and_names_row_and_field(catalog):
    data = catalog_export()
    wipe_catalog()
    broken = broken_rows(data, [("事项", 3, "承诺办结时限(工作日)", 99)])
    errors = import_errors(broken)
    assert errors == [
        {
            "sheet": "事项",
            "row": 3,
            "field": "承诺办结时限(工作日)",
            "message": "承诺时限不得超过法定时限",
        }
    ]
    # the four good items were not imported either
    assert not Item.objects.exists() and not Material.objects.exists()


def test_every_broken_row_is_reported(catalog):
    data = catalog_export()
    versions = ItemVersion.objects.count()
    broken = broken_rows(
        data,
        [
            ("事项", 2, "事项类型", "99"),
            ("事项", 4, "实施主体", "NO-SUCH-UNIT"),
            ("事项", 5, "村级可代办", "也许"),
            ("材料", 3, "原件份数", "两份"),
            ("收费", 2, "收费项目", "代办费"),
            ("收费", 2, "收费标准(元)", -3),
            ("环节", 2, "层级", "省级"),
            ("环节", 3, "本地编码", "NOPE-9"),
        ],
    )
    errors = import_errors(broken)
    where = {(e["sheet"], e["row"], e["field"]) for e in errors}
    assert where == {
        ("事项", 2, "事项类型"),
        ("事项", 4, "实施主体"),
        ("事项", 5, "村级可代办"),
        ("材料", 3, "原件份数"),
        ("收费", 2, "收费项目"),
        ("收费", 2, "收费标准(元)"),
        ("环节", 2, "层级"),
        ("环节", 3, "本地编码"),
    }
    msgs = {(e["sheet"], e["row"], e["field"]): e["message"] for e in errors}
    assert "99" in msgs[("事项", 2, "事项类型")]
    assert "NO-SUCH-UNIT" in msgs[("事项", 4, "实施主体")]
    assert "代办服务一律免费" in msgs[("收费", 2, "收费项目")]
    assert ItemVersion.objects.count() == versions


def test_duplicate_codes_missing_sheet_and_missing_column(catalog):
    wb = workbook(catalog_export())
    ws = wb["事项"]
    ws.cell(row=3, column=1, value=ws.cell(row=2, column=1).value)
    del wb["环节"]
    col = header_index(wb["收费"])
    wb["收费"].cell(row=1, column=col["收费标准(元)"], value="金额")
    errors = import_errors(save(wb))
    assert {"sheet": "事项", "row": 3, "field": "本地编码", "message": "与第2行重复"} in errors
    assert any(e["sheet"] == "环节" and "缺少工作表" in e["message"] for e in errors)
    assert {"sheet": "收费", "row": 1, "field": "收费标准(元)", "message": "缺少该列"} in errors


def test_publish_rules_checked_before_anything_is_stored(catalog):
    data = catalog_export()
    wipe_catalog()
    broken = broken_rows(data, [("事项", 6, "联办部门", "")])  # ZR-001 is a joint item
    errors = import_errors(broken, publish=True)
    assert errors == [
        {"sheet": "事项", "row": 6, "field": "联办部门", "message": "联办件须指定联办部门"}
    ]
    # as drafts it is fine: the rule applies when publishing
    assert catalog_import(source=broken, actor=None).created
    assert not Item.objects.filter(published_version__isnull=False).exists()


def test_labels_and_lost_leading_zeros_are_accepted(catalog):
    data = catalog_export()
    wipe_catalog()
    friendly = broken_rows(
        data,
        [
            ("事项", 2, "事项类型", 20),  # number cell, was "20"
            ("事项", 3, "事项类型", 1),  # Excel turned "01" into 1
            ("事项", 3, "办件类型", "承诺件"),
            ("事项", 3, "受理层级", "乡镇(街道)"),
        ],
    )
    catalog_import(source=friendly, actor=None, publish=True)
    assert Item.objects.get(local_code="CJ-001").published_version.item_type == "20"
    v = Item.objects.get(local_code="LY-001").published_version
    assert (v.item_type, v.case_class, v.accept_tier) == ("01", "promised", "township")


def test_not_a_workbook(db):
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(source=b"not excel", actor=None)
    assert exc.value.code == "bad_file"


def test_fee_and_step_models_untouched_on_failure(catalog):
    counts = (Material.objects.count(), Fee.objects.count(), StepTemplate.objects.count())
    wb = workbook(catalog_export())
    wb["材料"].append(["MZ-001", 9, "新材料", "是", "否", "否", 1, 1, "", "", "", ""])
    wb["事项"].cell(row=2, column=header_index(wb["事项"])["法定办结时限(工作日)"], value=-1)
    import_errors(save(wb))
    assert (Material.objects.count(), Fee.objects.count(), StepTemplate.objects.count()) == counts
