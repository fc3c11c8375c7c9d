"""The region a supervision page shows, within the viewer's jurisdiction."""

from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.models import Region, RegionLevel, UnitKind
from bianmin.orgs.scope import scope_for


def region_or_403(viewer, code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise NotFound(_("区划 %(c)s 不存在") % {"c": code})
    if not scope_for(viewer).can_see_region(region.code):
        raise PermissionDenied(_("无权查看 %(r)s 的监察信息") % {"r": region.name})
    return region


def home_region(viewer) -> Region:
    """The region a viewer's dashboard opens on: its unit's (a window's hall's) region."""
    staff = getattr(viewer, "staff", None)
    if staff is not None and staff.unit_id:
        unit = staff.unit
        if unit.kind == UnitKind.WINDOW and unit.parent_id:
            unit = unit.parent
        return unit.region
    region = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").first()
    if region is None or not viewer.is_superuser:
        raise PermissionDenied(_("没有可查看的辖区"))
    return region


def own_row_name(region: Region) -> str:
    """The row of the cases a region holds itself, beside its children's rows: 县本级, 乡镇本级."""
    if region.level == RegionLevel.COUNTY:
        return _("县本级")
    if region.level == RegionLevel.TOWNSHIP:
        return _("乡镇本级")
    return _("%(r)s本级") % {"r": region.name}
