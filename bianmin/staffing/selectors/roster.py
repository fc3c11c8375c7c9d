"""Reads of duty rosters: the public board's roster and the county's list of uncovered days."""

import datetime as dt
from dataclasses import dataclass, field

from bianmin.orgs.models import Unit
from bianmin.orgs.scope import scope_for

from ..models import DutyChange, DutyDay, RosterMonth
from ..services.roster import ROSTER_UNIT_KINDS, away_on, month_start, working_days


@dataclass(frozen=True)
class RosterDay:
    date: dt.date
    names: list[str]
    staff_ids: list[int]


@dataclass
class RosterView:
    unit: Unit
    month: dt.date
    roster: RosterMonth | None
    days: list[RosterDay] = field(default_factory=list)
    changes: list[DutyChange] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return bool(self.roster and self.roster.published_at)

    @property
    def empty_days(self) -> list[dt.date]:
        return [d.date for d in self.days if not d.staff_ids]


def roster_for_unit(*, unit: Unit, month: dt.date, viewer=None) -> RosterView | None:
    """The unit's roster for `month`, one row per working day (公开公示 on the disclosure board).

    Without a viewer (the public board) only a published roster is returned, else None; a viewer
    whose scope acts for the unit also sees the draft and its change record.
    """
    month = month_start(month)
    staff_view = viewer is not None and scope_for(viewer).can_act_for_unit(unit)
    roster = RosterMonth.objects.filter(unit=unit, month=month).first()
    if roster is None or (roster.published_at is None and not staff_view):
        return RosterView(unit, month, None) if staff_view else None
    by_day: dict[dt.date, list] = {}
    for d in DutyDay.objects.filter(roster=roster).select_related("staff").order_by("date"):
        by_day.setdefault(d.date, []).append(d.staff)
    days = [
        RosterDay(
            day,
            [s.full_name for s in by_day.get(day, [])],
            [s.pk for s in by_day.get(day, [])],
        )
        for day in working_days(month)
    ]
    changes = (
        list(roster.changes.select_related("from_staff", "to_staff", "by__staff"))
        if staff_view
        else []
    )
    return RosterView(unit, month, roster, days, changes)


@dataclass(frozen=True)
class Gap:
    unit: Unit
    date: dt.date
    reason: str


def roster_units(*, viewer):
    """Stations and centres in the viewer's scope, the units that keep a roster."""
    return (
        Unit.objects.filter(scope_for(viewer).units_q(), is_active=True, kind__in=ROSTER_UNIT_KINDS)
        .select_related("region")
        .order_by("region__code", "kind", "name")
    )


def roster_gaps(*, viewer, month: dt.date, today: dt.date | None = None) -> list[Gap]:
    """Working days of `month` on which a station or centre in scope has nobody on duty.

    A day is uncovered when the unit has no roster for the month, nobody is on it that day, or
    everyone on it is on approved leave (value of the duty rule: a station is never left shut).
    """
    from django.utils.translation import gettext as _

    month = month_start(month)
    days = working_days(month)
    units = list(roster_units(viewer=viewer))
    rosters = {r.unit_id: r for r in RosterMonth.objects.filter(month=month, unit__in=units)}
    duty: dict[tuple[int, dt.date], list[int]] = {}
    for unit_id, day, staff_id in DutyDay.objects.filter(
        unit__in=units, date__gte=month, date__lte=days[-1] if days else month
    ).values_list("unit_id", "date", "staff_id"):
        duty.setdefault((unit_id, day), []).append(staff_id)
    gaps = []
    for unit in units:
        if unit.pk not in rosters:
            gaps += [Gap(unit, d, _("未排值班表")) for d in days]
            continue
        for d in days:
            on = duty.get((unit.pk, d), [])
            if not on:
                gaps.append(Gap(unit, d, _("无人值班")))
            elif set(on) <= away_on(on, d):
                gaps.append(Gap(unit, d, _("值班人员均在休假")))
    return gaps
