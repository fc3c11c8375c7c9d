"""The admin action log has a row for each change of the catalog and the calendar made through
the services (pages, commands, API); staff rows: portal/tests/test_account_pages.py and the admin
roles test in portal/tests/test_menu_and_errors.py."""

import datetime as dt

from bianmin.catalog.importexport import catalog_export, catalog_import
from bianmin.catalog.services import item_retire
from bianmin.catalog.tests.conftest import make_item
from bianmin.common.admin_log import change_text
from bianmin.common.models import AdminAction, AdminActionKind
from bianmin.workdays import services as calendar_services
from bianmin.workdays.models import CalendarDay


def _rows(**kw):
    return list(AdminAction.objects.filter(**kw).order_by("id"))


def test_catalog_and_calendar_changes_are_logged(county, django_capture_on_commit_callbacks):
    admin = county.admin.user
    version = make_item(county, local_code="LOG-001", actor=admin)
    added, published = _rows(object_id=str(version.pk), object_type="catalog.itemversion")
    assert (added.action, published.action) == (AdminActionKind.ADD, AdminActionKind.PUBLISH)
    assert published.actor == admin and "LOG-001" in published.note

    catalog_import(source=catalog_export(), actor=admin)
    (imported,) = _rows(action=AdminActionKind.IMPORT)
    assert imported.actor_name == "admin" and "未变化 1 个" in imported.note

    item_retire(item=version.item, actor=admin, reason="已合并")
    (retired,) = _rows(action=AdminActionKind.RETIRE)
    assert retired.object_repr == str(version.item) and retired.note == "已合并"

    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.calendar_year_enter(
            actor=admin,
            year=2031,
            holidays=[(dt.date(2031, 1, 1), "元旦")],
            workdays=[],
            confirmed=True,
        )
        CalendarDay.objects.filter(date__year=2025).first().delete()
        calendar_services.calendar_seed_from_package([2025])
    entered = AdminAction.objects.get(action=AdminActionKind.CHANGE, object_repr="2031")
    assert entered.actor == admin and "放假 1 天" in entered.note
    (seeded,) = _rows(action=AdminActionKind.IMPORT, actor=None)
    assert seeded.actor_name == "" and "2025" in seeded.note
    assert change_text(added) == "已添加。"
