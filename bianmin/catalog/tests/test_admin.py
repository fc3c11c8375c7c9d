import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from bianmin.catalog.importexport import catalog_export
from bianmin.catalog.models import Item, ItemVersion
from bianmin.catalog.services import item_version_revise

User = get_user_model()
IMPORT_URL = "/admin/catalog/itemversion/import/"
EXPORT_URL = "/admin/catalog/itemversion/export/"


def login(client, username):
    client.force_login(User.objects.get(username=username))


def make_staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])


def upload(data: bytes, **extra):
    return {
        "file": SimpleUploadedFile(
            "c.xlsx",
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        **extra,
    }


def test_import_page_shows_row_errors_and_imports_nothing(client, catalog):
    login(client, "admin")
    wb = load_workbook(io.BytesIO(catalog_export()))
    wb["事项"].cell(row=3, column=12, value=99)  # 承诺办结时限 over the statutory limit
    buf = io.BytesIO()
    wb.save(buf)
    count = ItemVersion.objects.count()
    r = client.post(IMPORT_URL, upload(buf.getvalue()))
    assert r.status_code == 422
    html = r.content.decode()
    assert "未导入任何内容" in html and 'id="import-errors"' in html
    assert "<td>事项</td><td>3</td><td>承诺办结时限(工作日)</td>" in html
    assert "承诺时限不得超过法定时限" in html
    assert ItemVersion.objects.count() == count


def test_import_page_success_with_publish(client, catalog):
    login(client, "admin")
    wb = load_workbook(io.BytesIO(catalog_export(published_only=True)))
    headers = [c.value for c in wb["事项"][1]]
    wb["事项"].cell(row=2, column=headers.index("备注") + 1, value="新备注")
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(IMPORT_URL, upload(buf.getvalue(), publish="on"))
    assert r.status_code == 302
    code = wb["事项"].cell(row=2, column=1).value
    assert Item.objects.get(local_code=code).published_version.notes == "新备注"


def test_import_and_export_are_for_administrators_only(client, catalog):
    make_staff(catalog.t1_staff.user)
    login(client, "t01-staff")
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403
    client.logout()
    assert client.get(IMPORT_URL).status_code == 302  # to the admin login
    login(client, "admin")
    assert client.get(IMPORT_URL).status_code == 200
    r = client.get(EXPORT_URL + "?published=1")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(r.content))
    assert "RS-001" not in {row[0] for row in wb["事项"].iter_rows(min_row=2, values_only=True)}


def test_publish_action_calls_the_service(client, catalog):
    login(client, "admin")
    draft = catalog.draft_only
    r = client.post(
        "/admin/catalog/itemversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert r.status_code == 200
    draft.refresh_from_db()
    assert draft.status == ItemVersion.Status.PUBLISHED
    assert draft.published_by == catalog.admin.user


def test_published_version_is_read_only_in_admin(client, catalog):
    login(client, "admin")
    v = catalog.dibao
    url = f"/admin/catalog/itemversion/{v.pk}/change/"
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="name"' not in html and 'name="materials-0-name"' not in html
    # a forged post changes nothing
    client.post(url, {"name": "偷改", "promised_limit": 1})
    v.refresh_from_db()
    assert v.name == "最低生活保障审核确认" and v.promised_limit == 20
    draft = item_version_revise(item=v.item, actor=None, changes={})
    r = client.get(f"/admin/catalog/itemversion/{draft.pk}/change/")
    assert 'name="name"' in r.content.decode()


def test_changelist_search_in_chinese(client, catalog):
    login(client, "admin")
    r = client.get("/admin/catalog/itemversion/", {"q": "宅基地"})
    assert r.status_code == 200
    assert "农村宅基地审批" in r.content.decode() and "林木采伐" not in r.content.decode()


def test_no_bulk_delete_and_published_version_cannot_be_deleted(client, catalog):
    login(client, "admin")
    r = client.get("/admin/catalog/itemversion/")
    assert 'value="delete_selected"' not in r.content.decode()
    assert client.get(f"/admin/catalog/itemversion/{catalog.dibao.pk}/delete/").status_code == 403
    assert ItemVersion.objects.filter(pk=catalog.dibao.pk).exists()


def test_retire_action(client, catalog):
    login(client, "admin")
    item = catalog.forest.item
    client.post("/admin/catalog/item/", {"action": "retire", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.retired_at is not None and item.published_version is None


def test_add_version_in_admin_gets_next_number_as_draft(client, catalog):
    login(client, "admin")
    assert client.get("/admin/catalog/itemversion/add/").status_code == 200
    v1 = catalog.dibao
    data = {
        "item": v1.item_id,
        "basic_code": v1.basic_code,
        "implementation_code": v1.implementation_code,
        "name": "最低生活保障审核确认（修订）",
        "item_type": v1.item_type,
        "service_objects": '["1"]',
        "power_source": v1.power_source,
        "legal_basis": v1.legal_basis,
        "implementing_unit": v1.implementing_unit_id,
        "statutory_limit": 30,
        "promised_limit": 15,
        "case_class": "promised",
        "accept_tier": "township",
        "decide_tier": "county",
        "life_events": "[]",
    }
    for prefix in ("materials", "fees", "steps"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    r = client.post("/admin/catalog/itemversion/add/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    new = ItemVersion.objects.get(item=v1.item, number=2)
    assert new.status == ItemVersion.Status.DRAFT and new.promised_limit == 15
    data["promised_limit"] = 40  # over the statutory limit: the model rule holds here too
    r = client.post("/admin/catalog/itemversion/add/", data)
    assert r.status_code == 200 and "承诺时限不得超过法定时限" in r.content.decode()
