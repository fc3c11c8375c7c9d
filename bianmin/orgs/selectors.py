"""Reads of regions and units, always through the viewer's scope."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bianmin.common.models import AdminAction

from .models import Region, RoleCode, Unit
from .scope import scope_for


def region_get(*, viewer, code: str) -> Region:
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    if not scope_for(viewer).can_see_region(code):
        raise PermissionDenied(_("无权查看该区划"))
    return region


def region_children(*, viewer, region: Region) -> QuerySet[Region]:
    return region.children.filter(scope_for(viewer).region_q()).order_by("code")


def unit_list(*, viewer, kind: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(scope_for(viewer).units_q(), is_active=True).select_related(
        "region", "parent"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "kind", "name")


def unit_get(*, viewer, pk: int) -> Unit:
    unit = Unit.objects.select_related("region", "parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    if not unit_list(viewer=viewer).filter(pk=pk).exists():
        raise PermissionDenied(_("无权查看该单位"))
    return unit


def display_names(user_ids: Iterable[int]) -> dict[int, str]:
    """The name lists show for each user: the staff member's full name, else the username. One
    query for any number of users (list rows and the clocks' rows look their assignees up here)."""
    ids = set(user_ids)
    if not ids:
        return {}
    User = get_user_model()
    return {
        pk: full_name or username
        for pk, username, full_name in User.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", User.USERNAME_FIELD, "staff__full_name")
    }


def may_read_admin_log(user) -> bool:
    """Administrators and supervisors read the admin action log (等保 2.0 安全审计: the audit
    trail is open to those who keep the system and those who watch it)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.has_role(RoleCode.ADMINISTRATOR, RoleCode.SUPERVISOR)


def admin_action_list(*, viewer) -> QuerySet[AdminAction]:
    """Every change of staff, accounts, roles, catalog and calendar, newest first."""
    if not may_read_admin_log(viewer):
        raise PermissionDenied(_("只有管理员和监察人员可以查看管理操作日志"))
    return AdminAction.objects.order_by("-at", "-id")
