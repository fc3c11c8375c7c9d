"""Duty roster (值班): rotation among named staff on working days, edits and swaps, publication."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.orgs.models import Staff, Unit, UnitKind
from bianmin.workdays.calendar import snapshot

from ..access import duty_staff_of, require_manager
from ..models import (
    DutyChange,
    DutyChangeKind,
    DutyDay,
    RosterMember,
    RosterMode,
    RosterMonth,
    RosterRule,
)

ROSTER_UNIT_KINDS = (UnitKind.VILLAGE_STATION, UnitKind.TOWNSHIP_CENTRE, UnitKind.COUNTY_CENTRE)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def parse_month(text: str) -> dt.date:
    """'2026-03' -> 2026-03-01; a malformed month is a 422 naming the field."""
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise ValidationFailed(_("月份格式应为 YYYY-MM"), field="month") from None


def month_days(month: dt.date) -> list[dt.date]:
    first = month_start(month)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


def working_days(month: dt.date) -> list[dt.date]:
    """The month's working days on the holiday calendar (statutory holidays out, 调休 in)."""
    snap = snapshot()
    return [d for d in month_days(month) if snap.is_workday(d)]


def away_on(staff_ids: list[int], day: dt.date) -> set[int]:
    """Staff among `staff_ids` on approved leave on `day` (they are skipped on the roster)."""
    from .attendance import staff_on_leave

    return staff_on_leave(staff_ids=staff_ids, day=day)


def _check_roster_unit(unit: Unit) -> None:
    if unit.kind not in ROSTER_UNIT_KINDS:
        raise ValidationFailed(_("只有便民服务站和服务中心排值班"), field="unit")


def _eligible(unit: Unit, staff: Staff) -> bool:
    """On duty at `unit`: its own staff, or staff of the hall above a station (covering it)."""
    units = {unit.pk}
    if unit.parent_id:
        units.add(unit.parent_id)
    units |= set(unit.children.filter(kind=UnitKind.WINDOW).values_list("pk", flat=True))
    return staff.unit_id in units


@transaction.atomic
def roster_rule_set(
    *,
    unit: Unit,
    mode: str,
    members: list[Staff],
    weekdays: dict[int, list[int]] | None = None,
    actor,
) -> RosterRule:
    """Set how `unit` shares duty: `rotation` (in the given order, one a working day) or
    `weekday` (each member's fixed acceptance days, Monday = 0). Unit head or administrator."""
    require_manager(actor, unit)
    _check_roster_unit(unit)
    if mode not in RosterMode.values:
        raise ValidationFailed(_("排班方式无效"), field="mode")
    if not members:
        raise ValidationFailed(_("至少指定一名值班人员"), field="members")
    if len({m.pk for m in members}) != len(members):
        raise ValidationFailed(_("值班人员不能重复"), field="members")
    for m in members:
        if not _eligible(unit, m):
            raise ValidationFailed(
                _("%(n)s 不是本单位人员，不能排班") % {"n": m.full_name}, field="members"
            )
    weekdays = weekdays or {}
    if mode == RosterMode.WEEKDAY:
        for m in members:
            days = weekdays.get(m.pk) or []
            if not days or any(d not in range(7) for d in days):
                raise ValidationFailed(
                    _("请为 %(n)s 指定固定受理日") % {"n": m.full_name}, field="weekdays"
                )
    rule, _created = RosterRule.objects.update_or_create(unit=unit, defaults={"mode": mode})
    rule.members.all().delete()
    RosterMember.objects.bulk_create(
        RosterMember(rule=rule, staff=m, position=i, weekdays=sorted(set(weekdays.get(m.pk) or [])))
        for i, m in enumerate(members)
    )
    return rule


def _members(unit: Unit) -> tuple[str, list[tuple[Staff, list[int]]]]:
    rule = RosterRule.objects.filter(unit=unit).first()
    if rule is None:
        # No rule yet: everyone who handles cases at the unit rotates, in name order.
        return RosterMode.ROTATION, [(s, []) for s in duty_staff_of(unit)]
    rows = rule.members.select_related("staff__user").order_by("position")
    return rule.mode, [(r.staff, r.weekdays) for r in rows if r.staff.user.is_active]


def _plan(unit: Unit, month: dt.date) -> list[tuple[dt.date, Staff]]:
    mode, members = _members(unit)
    if not members:
        return []
    ids = [s.pk for s, _w in members]
    out: list[tuple[dt.date, Staff]] = []
    if mode == RosterMode.WEEKDAY:
        for day in working_days(month):
            away = away_on(ids, day)
            out += [(day, s) for s, wd in members if day.weekday() in wd and s.pk not in away]
        return out
    # Rotation continues from whoever was last on duty before this month, across month ends.
    last = (
        DutyDay.objects.filter(unit=unit, date__lt=month, staff_id__in=ids)
        .order_by("-date")
        .values_list("staff_id", flat=True)
        .first()
    )
    nxt = (ids.index(last) + 1) if last in ids else 0
    n = len(members)
    for day in working_days(month):
        away = away_on(ids, day)
        for step in range(n):
            staff = members[(nxt + step) % n][0]
            if staff.pk not in away:
                out.append((day, staff))
                nxt = (nxt + step + 1) % n
                break
    return out


@transaction.atomic
def roster_generate(*, unit: Unit, month: dt.date, actor) -> RosterMonth:
    """Generate `unit`'s roster for `month` on working days only (bianmin.workdays calendar).

    Daily rotation gives each working day to the next person in order, skipping anyone on
    approved leave; fixed weekday mode puts each person on their acceptance days. A draft may be
    generated again; a published roster or one with recorded changes is not overwritten.
    """
    require_manager(actor, unit)
    _check_roster_unit(unit)
    month = month_start(month)
    roster = (
        RosterMonth.objects.select_for_update(of=("self",)).filter(unit=unit, month=month).first()
    )
    if roster is not None:
        if roster.published_at or roster.changes.exists():
            raise Conflict(_("该月值班表已公布或已有调整记录，不能重新生成"))
        roster.days.all().delete()
        roster.generated_at, roster.generated_by = timezone.now(), actor
        roster.save(update_fields=["generated_at", "generated_by"])
    else:
        roster = RosterMonth.objects.create(
            unit=unit, month=month, generated_at=timezone.now(), generated_by=actor
        )
    DutyDay.objects.bulk_create(
        DutyDay(roster=roster, unit=unit, date=day, staff=staff)
        for day, staff in _plan(unit, month)
    )
    return roster


@transaction.atomic
def roster_publish(*, roster: RosterMonth, actor) -> RosterMonth:
    """Publish the month's roster on the unit's disclosure board (公开公示)."""
    require_manager(actor, roster.unit)
    roster = RosterMonth.objects.select_for_update(of=("self",)).get(pk=roster.pk)
    if roster.published_at is None:
        roster.published_at, roster.published_by = timezone.now(), actor
        roster.save(update_fields=["published_at", "published_by"])
    return roster


def _check_day(roster: RosterMonth, day: dt.date) -> None:
    if month_start(day) != roster.month:
        raise ValidationFailed(_("日期不在该月值班表内"), field="date")
    if day not in working_days(roster.month):
        raise ValidationFailed(_("%(d)s 不是工作日") % {"d": day}, field="date")


@transaction.atomic
def duty_change(
    *,
    roster: RosterMonth,
    date: dt.date,
    from_staff: Staff | None,
    to_staff: Staff | None,
    reason: str,
    actor,
) -> DutyChange:
    """Edit one day: replace `from_staff` by `to_staff` (None adds or removes). Recorded."""
    require_manager(actor, roster.unit)
    _check_day(roster, date)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明调整原因"), field="reason")
    if from_staff is None and to_staff is None:
        raise ValidationFailed(_("请指定调整的人员"), field="to_staff")
    if to_staff is not None and not _eligible(roster.unit, to_staff):
        raise ValidationFailed(
            _("%(n)s 不是本单位人员") % {"n": to_staff.full_name}, field="to_staff"
        )
    days = DutyDay.objects.filter(roster=roster, date=date)
    if from_staff is not None:
        if not days.filter(staff=from_staff).exists():
            raise Conflict(_("%(n)s 当日不在值班表上") % {"n": from_staff.full_name})
        days.filter(staff=from_staff).delete()
    if to_staff is not None and not days.filter(staff=to_staff).exists():
        DutyDay.objects.create(roster=roster, unit=roster.unit, date=date, staff=to_staff)
    return DutyChange.objects.create(
        roster=roster,
        kind=DutyChangeKind.EDIT,
        date=date,
        from_staff=from_staff,
        to_staff=to_staff,
        reason=reason,
        by=actor,
    )


@transaction.atomic
def duty_swap(
    *,
    roster: RosterMonth,
    date_a: dt.date,
    staff_a: Staff,
    date_b: dt.date,
    staff_b: Staff,
    reason: str,
    actor,
) -> DutyChange:
    """Two people exchange duty days (换班); both days must hold the named person. Recorded."""
    require_manager(actor, roster.unit)
    _check_day(roster, date_a)
    _check_day(roster, date_b)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明换班原因"), field="reason")
    a = DutyDay.objects.filter(roster=roster, date=date_a, staff=staff_a).first()
    b = DutyDay.objects.filter(roster=roster, date=date_b, staff=staff_b).first()
    if a is None or b is None:
        raise Conflict(_("换班双方须在各自日期的值班表上"))
    if staff_a == staff_b:
        raise ValidationFailed(_("换班须为两名不同人员"), field="staff_b")
    taken = (
        DutyDay.objects.filter(roster=roster, date=date_a, staff=staff_b).exists()
        or DutyDay.objects.filter(roster=roster, date=date_b, staff=staff_a).exists()
    )
    if taken:
        raise Conflict(_("换班后同一天会出现重复值班"))
    a.staff, b.staff = staff_b, staff_a
    a.save(update_fields=["staff"])
    b.save(update_fields=["staff"])
    return DutyChange.objects.create(
        roster=roster,
        kind=DutyChangeKind.SWAP,
        date=date_a,
        other_date=date_b,
        from_staff=staff_a,
        to_staff=staff_b,
        reason=reason,
        by=actor,
    )
