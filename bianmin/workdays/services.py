"""Writes to the holiday calendar. Every write invalidates the calendar snapshot after commit and
sends `calendar_changed` for the years whose working days may have changed."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.common.admin_log import admin_action_record
from bianmin.common.errors import ErrorCode, PermissionDenied, ValidationFailed
from bianmin.common.models import AdminActionKind

from . import calendar
from .models import CalendarDay, CalendarYear
from .signals import calendar_changed

MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_MAX: int = CalendarDay._meta.get_field("name").max_length or 0
NOTE_MAX: int = CalendarYear._meta.get_field("note").max_length or 0


def _package_years() -> range:
    from chinese_calendar import constants

    known = list(constants.holidays) + list(constants.workdays)
    return range(min(known).year, max(known).year + 1)


PACKAGE_YEARS = _package_years()  # 2004-2026 for chinesecalendar 1.11


def package_note() -> str:
    return f"chinesecalendar {version('chinesecalendar')}"


def can_manage_calendar(user) -> bool:
    """Superusers and staff with the administrator role enter holiday schedules (DESIGN.md roles)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return bool(staff and staff.has_role("administrator"))


def package_exceptions(year: int) -> list[tuple[dt.date, bool, str]]:
    """Days of `year` that the chinesecalendar package lists as holidays or adjusted working days,
    named in Chinese (春节, 国庆节, ...)."""
    from chinese_calendar import constants

    def chinese(name: str) -> str:
        try:
            return constants.Holiday(name).chinese[:NAME_MAX]
        except ValueError:
            return str(name)[:NAME_MAX]

    days = [(d, False, chinese(n)) for d, n in constants.holidays.items() if d.year == year]
    days += [(d, True, chinese(n)) for d, n in constants.workdays.items() if d.year == year]
    return sorted(days)


def _after_commit(years: set[int]) -> None:
    def run() -> None:
        calendar.invalidate()
        if years:
            calendar_changed.send(sender=None, years=set(years))

    transaction.on_commit(run)


@dataclass
class SeedResult:
    loaded: list[int] = field(default_factory=list)  # years written (new or different)
    changed: list[int] = field(default_factory=list)  # years whose working days changed
    skipped_manual: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


@transaction.atomic
def calendar_seed_from_package(
    years: Iterable[int] = PACKAGE_YEARS, *, include_manual: bool = False
) -> SeedResult:
    """(Re)load the years the chinesecalendar package knows.

    Years an administrator entered by hand are left alone unless `include_manual` (the hand entry
    is then replaced by the package's data). Only years whose data differ are rewritten; those
    whose working days changed are announced with `calendar_changed` after commit.
    """
    years = sorted(set(years))
    outside = [y for y in years if y not in PACKAGE_YEARS]
    if outside:
        raise ValidationFailed(
            _("chinesecalendar 软件包只包含 %(a)s 至 %(b)s 年，不含：%(y)s")
            % {
                "a": PACKAGE_YEARS[0],
                "b": PACKAGE_YEARS[-1],
                "y": "、".join(map(str, outside)),
            },
            field="years",
        )
    entries = {e.year: e for e in CalendarYear.objects.filter(year__in=years)}
    result = SeedResult()
    for year in years:
        entry = entries.get(year)
        if entry and entry.source == CalendarYear.Source.MANUAL and not include_manual:
            result.skipped_manual.append(year)
            continue
        rows = package_exceptions(year)
        have = set(
            CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name")
        )
        same_source = entry is not None and entry.source == CalendarYear.Source.PACKAGE
        if same_source and have == set(rows):
            result.unchanged.append(year)
            continue
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(date=d, is_workday=w, name=n) for d, w, n in rows
        )
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "source": CalendarYear.Source.PACKAGE,
                "note": package_note(),
                "entered_by": None,
            },
        )
        result.loaded.append(year)
        if entry is None or {(d, w) for d, w, _n in have} != {(d, w) for d, w, _n in rows}:
            result.changed.append(year)
    if result.loaded:
        admin_action_record(
            actor=None,
            action=AdminActionKind.IMPORT,
            note=_("从 %(p)s 载入节假日：%(y)s")
            % {"p": package_note(), "y": "、".join(map(str, result.loaded))},
        )
    _after_commit(set(result.changed))
    return result


def _check_days(
    year: int, holidays: list[tuple[dt.date, str]], workdays: list[tuple[dt.date, str]]
) -> None:
    for kind, days in (("holidays", holidays), ("workdays", workdays)):
        seen: set[dt.date] = set()
        for day, name in days:
            if day.year != year:
                raise ValidationFailed(
                    _("日期 %(d)s 不属于 %(y)s 年") % {"d": day, "y": year}, field=kind
                )
            if len(name or "") > NAME_MAX:
                raise ValidationFailed(
                    _("%(d)s 的名称过长（最多 %(n)s 个字）") % {"d": day, "n": NAME_MAX}, field=kind
                )
            # Adjusted working days are weekend days by definition; a weekday here is a typo.
            if kind == "workdays" and day.weekday() < 5:
                raise ValidationFailed(
                    _("%(d)s 是周一至周五，本来就上班，不是调休上班日") % {"d": day}, field=kind
                )
            if day in seen:
                raise ValidationFailed(_("日期 %(d)s 重复") % {"d": day}, field=kind)
            seen.add(day)
    clash = {d for d, _n in holidays} & {d for d, _n in workdays}
    if clash:
        raise ValidationFailed(
            _("同一天不能既是假日又是调休工作日：%(d)s")
            % {"d": "、".join(map(str, sorted(clash)))},
            field="workdays",
        )


# Weekday rest days (holidays falling Monday to Friday) of a plausible year: every schedule the
# State Council published from 2012 to 2026 has 16 to 23; outside this range is likely a typo.
PLAUSIBLE_WEEKDAY_RESTS = range(13, 27)


def calendar_year_doubts(
    *, holidays: list[tuple[dt.date, str]], workdays: list[tuple[dt.date, str]]
) -> list[str]:
    """What makes a typed-in schedule look wrong though each line is valid: an implausible count
    of weekday rest days, or no adjusted working weekend day (every published year has some)."""
    doubts = []
    weekday_rests = sum(1 for day, _n in holidays if day.weekday() < 5)
    if weekday_rests not in PLAUSIBLE_WEEKDAY_RESTS:
        doubts.append(
            _(
                "放假日中周一至周五共 %(n)s 天，而 2012—2026 年公布的安排每年为 16—23 天，"
                "请核对是否漏填或多填。"
            )
            % {"n": weekday_rests}
        )
    if not workdays:
        doubts.append(
            _("没有填写调休上班日，而 2012—2026 年公布的安排每年都有周末调休上班，请核对。")
        )
    return doubts


@transaction.atomic
def calendar_year_enter(
    *,
    actor,
    year: int,
    holidays: list[tuple[dt.date, str]],
    workdays: list[tuple[dt.date, str]],
    note: str = "",
    confirmed: bool = False,
) -> CalendarYear:
    """Enter a year's schedule as the State Council published it (国务院办公厅 放假安排通知).

    `holidays` are days off (with the festival name), `workdays` the adjusted weekend working days
    (调休上班). Replaces whatever the year had, marks the year covered (no longer provisional), and
    after commit tells dependants to recompute with `calendar_changed(years={year})`.
    A schedule with doubts (`calendar_year_doubts`) is saved only when `confirmed`.
    Only superusers and administrators may do this; `actor=None` is the system itself (commands).
    """
    if actor is not None and not can_manage_calendar(actor):
        raise PermissionDenied(_("只有管理员可以录入节假日安排"))
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            _("年份应在 %(a)s 至 %(b)s 之间") % {"a": MIN_YEAR, "b": MAX_YEAR}, field="year"
        )
    holidays, workdays = list(holidays), list(workdays)
    if not holidays:
        raise ValidationFailed(_("请至少填写一天法定节假日"), field="holidays")
    _check_days(year, holidays, workdays)
    doubts = calendar_year_doubts(holidays=holidays, workdays=workdays)
    if doubts and not confirmed:
        raise ValidationFailed(
            " ".join([*doubts, _("如确认无误，请勾选“已核对，按此保存”后再保存。")]),
            code=ErrorCode.UNCONFIRMED,
            field="confirm",
            extra={"doubts": doubts},
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("依据最多 %(n)s 个字") % {"n": NOTE_MAX}, field="note")
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=False, name=n or "") for d, n in holidays]
        + [CalendarDay(date=d, is_workday=True, name=n or "") for d, n in workdays]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "source": CalendarYear.Source.MANUAL,
            "note": note,
            "entered_by": actor if actor is not None and actor.pk else None,
        },
    )
    admin_action_record(
        actor=actor,
        action=AdminActionKind.CHANGE,
        obj=entry,
        note=_("录入 %(y)s 年节假日安排：放假 %(h)s 天，调休上班 %(w)s 天")
        % {"y": year, "h": len(holidays), "w": len(workdays)},
    )
    _after_commit({year})
    return entry
