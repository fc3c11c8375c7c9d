"""Reads of training: a person's record and who falls short of the yearly requirement."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion, Tier
from bianmin.common.errors import PermissionDenied
from bianmin.orgs.models import Staff, UnitKind
from bianmin.orgs.scope import scope_for

from ..access import HANDLING_ROLES
from ..models import TrainingAttendance, TrainingSession

# Sessions a year (county rule): station staff 2, staff of departments that delegate items 4.
DEFAULT_REQUIRED = {"station": 2, "department": 4}


def required_sessions() -> dict[str, int]:
    return {**DEFAULT_REQUIRED, **getattr(settings, "BIANMIN_TRAINING_REQUIRED", {})}


def delegating_department_ids() -> set[int]:
    """Departments whose published items are accepted at the township or village (下放/委托)."""
    return set(
        ItemVersion.objects.filter(
            status=ItemVersion.Status.PUBLISHED,
            accept_tier__in=[Tier.TOWNSHIP, Tier.VILLAGE],
            implementing_unit__kind=UnitKind.DEPARTMENT,
        ).values_list("implementing_unit_id", flat=True)
    )


def category_of(staff: Staff, delegating: set[int]) -> str | None:
    unit = staff.unit
    if unit is None:
        return None
    hall = unit.parent if unit.kind == UnitKind.WINDOW and unit.parent is not None else unit
    if hall.kind in (UnitKind.VILLAGE_STATION, UnitKind.TOWNSHIP_CENTRE):
        return "station"
    if hall.kind == UnitKind.DEPARTMENT and hall.pk in delegating:
        return "department"
    return None


@dataclass(frozen=True)
class TrainingRecord:
    staff: Staff
    year: int
    sessions: list[TrainingSession]

    @property
    def count(self) -> int:
        return len(self.sessions)

    @property
    def hours(self) -> Decimal:
        return sum((s.hours for s in self.sessions), Decimal("0"))


def _visible_staff(viewer):
    scope = scope_for(viewer)
    return Staff.objects.filter(scope.units_q("unit"), user__is_active=True)


def training_record(*, viewer, staff: Staff, year: int) -> TrainingRecord:
    """One person's sessions in `year`: their own, or anyone's in the viewer's scope."""
    if viewer != staff.user and not _visible_staff(viewer).filter(pk=staff.pk).exists():
        raise PermissionDenied(_("无权查看该人员的培训记录"))
    sessions = list(
        TrainingSession.objects.filter(rows__staff=staff, date__year=year)
        .select_related("organiser")
        .order_by("date", "pk")
    )
    return TrainingRecord(staff, year, sessions)


def training_sessions(*, viewer, year: int | None = None):
    scope = scope_for(viewer)
    qs = TrainingSession.objects.filter(
        scope.units_q("organiser") | Q(rows__staff__in=_visible_staff(viewer))
    ).distinct()
    if year:
        qs = qs.filter(date__year=year)
    return qs.select_related("organiser").order_by("-date", "-pk")


@dataclass(frozen=True)
class Shortfall:
    staff: Staff
    category: str
    required: int
    attended: int


def training_counts(*, staff_ids: list[int], year: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for sid in TrainingAttendance.objects.filter(
        staff_id__in=staff_ids, session__date__year=year
    ).values_list("staff_id", flat=True):
        counts[sid] = counts.get(sid, 0) + 1
    return counts


def training_shortfall(*, viewer, year: int, as_of: dt.date | None = None) -> list[Shortfall]:
    """Staff in scope below the sessions required for `year` (station staff, and staff of
    departments that delegate items)."""
    required = required_sessions()
    delegating = delegating_department_ids()
    people = [
        s
        for s in _visible_staff(viewer).select_related("unit__parent", "user")
        if set(s.roles) & HANDLING_ROLES
    ]
    counts = training_counts(staff_ids=[s.pk for s in people], year=year)
    out = []
    for s in people:
        cat = category_of(s, delegating)
        if cat is None:
            continue
        if counts.get(s.pk, 0) < required[cat]:
            out.append(Shortfall(s, cat, required[cat], counts.get(s.pk, 0)))
    # Every shortfall has a unit: category_of answers None for staff without one.
    return sorted(out, key=lambda x: (x.staff.unit.region.code, x.staff.full_name))  # type: ignore[union-attr]
