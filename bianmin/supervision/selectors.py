"""Supervision reads, always through the viewer's access scope (`bianmin.orgs.scope.scope_for`):
alerts, notifications, the supervisor's queue, complaints, and the dashboard of a jurisdiction."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.deadlines import DEEMED_ACCEPTANCE_DAYS, arrived_on
from bianmin.cases.models import (
    ERRAND,
    FINAL_STATES,
    Case,
    CaseMaterial,
    Custody,
    FlagKind,
    MaterialStatus,
    OneTimeNotice,
    State,
    SupervisionFlag,
)
from bianmin.cases.routing import can_accept_here
from bianmin.cases.selectors import cases_visible
from bianmin.catalog.models import Fee
from bianmin.common.errors import NotFound, PermissionDenied, ValidationFailed
from bianmin.common.inputs import bounded_date, latest_date, years_before
from bianmin.common.validators import phone_tail_matches
from bianmin.orgs.models import Region, RegionLevel, Unit, UnitKind
from bianmin.orgs.scope import scope_for
from bianmin.workdays import calendar

from . import clocks
from .models import (
    UPHELD_OUTCOMES,
    Alert,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    Escalation,
    Level,
    Notification,
    SupervisionRecord,
    SupervisionStep,
)

# The tier figures cover the current work: unfinished cases and cases finished in the last year.
TIER_PERIOD_DAYS = 365


# --- alerts, notifications, escalations --------------------------------------------------------
def _region_or_403(viewer, code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise NotFound(_("区划 %(c)s 不存在") % {"c": code})
    if not scope_for(viewer).can_see_region(region.code):
        raise PermissionDenied(_("无权查看 %(r)s 的监察信息") % {"r": region.name})
    return region


def alerts_visible(*, viewer) -> QuerySet[Alert]:
    """Alerts of the cases the viewer may see, and of complaints against units in its scope."""
    scope = scope_for(viewer)
    if scope.is_empty:
        return Alert.objects.none()
    cases = cases_visible(viewer=viewer).values("pk")
    return Alert.objects.filter(
        Q(case__in=cases) | Q(case=None, complaint__in=complaints_visible(viewer=viewer))
    )


def alert_list(
    *,
    viewer,
    level: str | None = None,
    clock: str | None = None,
    region: str | None = None,
    since: dt.date | None = None,
    limit: int = 200,
) -> list[Alert]:
    """Newest first. `region` narrows to a region the viewer may see (403 outside its scope)."""
    qs = alerts_visible(viewer=viewer)
    if level:
        if level not in Level.values:
            raise ValidationFailed(_("级别只能是 yellow 或 red"), field="level")
        qs = qs.filter(level=level)
    if clock:
        qs = qs.filter(clock=clock)
    if region:
        r = _region_or_403(viewer, region)
        qs = qs.filter(
            Q(case__region__code__startswith=r.prefix)
            | Q(case=None, complaint__unit__region__code__startswith=r.prefix)
        )
    if since:
        qs = qs.filter(raised_on__gte=since)
    limit = max(1, min(int(limit), 1000))
    return list(
        qs.select_related("case", "complaint", "unit").order_by("-raised_on", "-pk")[:limit]
    )


def notifications_for(*, viewer, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    qs = Notification.objects.filter(recipient=viewer)
    if unread_only:
        qs = qs.filter(read=False)
    return list(qs.order_by("-created_at", "-pk")[: max(1, min(int(limit), 500))])


def escalations_visible(*, viewer) -> QuerySet[Escalation]:
    return Escalation.objects.filter(alert__in=alerts_visible(viewer=viewer))


def supervisor_queue(*, viewer, include_resolved: bool = False) -> list[Escalation]:
    """Red cases moved to supervision by an escalation rule (督办队列)."""
    qs = escalations_visible(viewer=viewer).filter(action="supervisor_queue")
    if not include_resolved:
        qs = qs.filter(resolved=False)
    return list(
        qs.select_related("alert__case__item_version", "alert__complaint", "alert__unit").order_by(
            "-escalated_on", "-pk"
        )
    )


@dataclass
class QueueEntry:
    """One case (or complaint) of the supervision queue, with every escalated deadline of it:
    the earliest (most overdue) first, which the row shows; the others listed inside."""

    kind: str  # "case" or "complaint"
    number: str
    title: str
    unit: Unit
    escalations: list[Escalation]
    records: list[SupervisionRecord]

    @property
    def first(self) -> Escalation:
        return self.escalations[0]

    @property
    def others(self) -> list[Escalation]:
        return self.escalations[1:]

    @property
    def escalated_on(self) -> dt.date:
        return min(e.escalated_on for e in self.escalations)

    @property
    def over_days(self) -> int:
        return max(0, *(-e.alert.days_left for e in self.escalations))

    @property
    def deadline(self) -> dt.date | None:
        """The latest 督办期限 set, if any."""
        dates = [r.due_on for r in self.records if r.step == SupervisionStep.DEADLINE]
        return dates[-1] if dates else None


def supervision_queue(*, viewer) -> list[QueueEntry]:
    """The supervision queue (督办队列), one entry per case or complaint with open escalations:
    most overdue first, then by the earliest deadline."""
    entries: dict[tuple[str, int | None], QueueEntry] = {}
    for e in supervisor_queue(viewer=viewer):
        alert = e.alert
        key: tuple[str, int | None]
        if alert.case is not None:
            key, number, title = ("case", alert.case_id), alert.case.number, alert.case.title
        elif alert.complaint is not None:
            key = ("complaint", alert.complaint_id)
            number, title = alert.complaint.number, alert.complaint.get_kind_display()
        else:  # an alert is always of a case or a complaint
            continue
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = QueueEntry(key[0], number, str(title), alert.unit, [], [])
        entry.escalations.append(e)
    for entry in entries.values():
        entry.escalations.sort(key=lambda e: (e.alert.due_on, e.alert.days_left, e.pk))
        entry.unit = entry.first.alert.unit
    records = SupervisionRecord.objects.filter(
        Q(case__in=[pk for kind, pk in entries if kind == "case"])
        | Q(complaint__in=[pk for kind, pk in entries if kind == "complaint"])
    ).select_related("actor__staff")
    for r in records.order_by("at", "pk"):
        key = ("case", r.case_id) if r.case_id else ("complaint", r.complaint_id)
        entries[key].records.append(r)
    return sorted(entries.values(), key=lambda q: (-q.over_days, q.first.alert.due_on, q.number))


# --- complaints --------------------------------------------------------------------------------
def complaints_visible(*, viewer) -> QuerySet[Complaint]:
    """Complaints against units in the viewer's scope (a township sees its villages')."""
    scope = scope_for(viewer)
    return Complaint.objects.filter(scope.units_q("unit"))


def complaints_upheld() -> QuerySet[Complaint]:
    """The complaints that count against a person or unit: complaints (not suggestions) found
    true or partly true (属实 / 部分属实). RULES.md "Supervision": a complaint counts only once it is
    found true; unverified or unfounded ones do not. Every figure that counts complaints (the
    staff assessment, unit figures) starts from this queryset; the caller narrows it by person,
    unit and period. A system reader: callers scope it themselves."""
    return Complaint.objects.filter(kind=ComplaintKind.COMPLAINT, outcome__in=UPHELD_OUTCOMES)


def complaint_queue(
    *, viewer, status: str | None = None, unit: int | None = None, overdue: bool = False, today=None
) -> list[Complaint]:
    """The responsible units' queue: open ones first, by decision deadline."""
    today = today or timezone.localdate()
    qs = complaints_visible(viewer=viewer)
    if status:
        if status not in ComplaintStatus.values:
            raise ValidationFailed(_("状态无效"), field="status")
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit_id=unit)
    if overdue:
        qs = qs.filter(
            Q(status=ComplaintStatus.FILED, decide_due__lt=today)
            | Q(~Q(status=ComplaintStatus.REPLIED), reply_due__lt=today)
        )
    return list(qs.select_related("unit", "staff", "case").order_by("status", "decide_due", "pk"))


def complaint_get(*, viewer, number: str) -> Complaint:
    row = (
        Complaint.objects.select_related("unit__region", "staff", "case", "item")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if row is None:
        raise NotFound(_("投诉 %(n)s 不存在") % {"n": number})
    if not complaints_visible(viewer=viewer).filter(pk=row.pk).exists():
        raise PermissionDenied(_("无权查看该投诉"))
    return row


@dataclass(frozen=True)
class PublicComplaint:
    """What the complainant sees: the decision (its date and verified outcome) and the reply; no
    phone, no staff-internal decision note."""

    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    unit_name: str
    content: str
    filed_on: dt.date
    decide_due: dt.date
    reply_due: dt.date
    decided_on: dt.date | None
    outcome: str
    outcome_label: str
    replied_on: dt.date | None
    reply: str


def complaint_public_get(number: str, phone_tail: str) -> PublicComplaint:
    """Public lookup by tracking number and the last four digits of the phone given
    (`phone_tail_matches`).

    An unknown number and a wrong tail give the same 404, so numbers cannot be probed; a
    complaint filed without a phone cannot be looked up publicly.
    """
    row = (
        Complaint.objects.select_related("unit")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if row is None or not phone_tail_matches(row.phone, phone_tail):
        raise NotFound(_("未找到该编号的投诉，请核对编号和手机号后四位"))
    return PublicComplaint(
        number=row.number,
        kind=row.kind,
        kind_label=row.get_kind_display(),
        status=row.status,
        status_label=row.get_status_display(),
        unit_name=row.unit.name,
        content=row.content,
        filed_on=row.filed_on,
        decide_due=row.decide_due,
        reply_due=row.reply_due,
        decided_on=row.decided_on,
        outcome=row.outcome,
        outcome_label=row.get_outcome_display() if row.outcome else "",
        replied_on=row.replied_on,
        reply=row.reply if row.status == ComplaintStatus.REPLIED else "",
    )


# --- dashboard ---------------------------------------------------------------------------------
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


class _HopRow(NamedTuple):
    """What `arrived_on` reads of a custody hop."""

    to_unit_id: int
    received_at: dt.datetime | None


def _end_of(case: Case, today: dt.date) -> dt.date:
    if case.state in FINAL_STATES:
        return case.closed_on or case.concluded_on or today
    return today


def tier_period_start(today: dt.date) -> dt.date:
    """First day of the tier figures' period: a finished case counts there when it was closed
    (else concluded) on or after this day; unfinished cases always count."""
    return today - dt.timedelta(days=TIER_PERIOD_DAYS)


def _tier_of(unit) -> str:
    if unit.kind == UnitKind.WINDOW and unit.parent_id:
        unit = unit.parent
    return {
        UnitKind.VILLAGE_STATION: "village",
        UnitKind.TOWNSHIP_CENTRE: "township",
    }.get(unit.kind, "county")


TIER_LABELS = {"village": _("村(社区)"), "township": _("乡镇(街道)"), "county": _("县(区)")}


NO_FEE = Decimal("0.00")


def _tiers_of_units() -> dict[int, str]:
    return {u.pk: _tier_of(u) for u in Unit.objects.select_related("parent")}


def _fixed_offset(zone) -> dt.timedelta | None:
    """The zone's UTC offset when it has not changed for the last 30 years (Asia/Shanghai: +8
    since 1992), else None. SQLite can then take local dates with a plain modifier instead of
    Django's per-row Python function."""
    year = timezone.localdate().year
    offsets = {
        dt.datetime(y, m, 1, tzinfo=dt.UTC).astimezone(zone).utcoffset()
        for y in range(year - 30, year + 2)
        for m in (1, 7)
    }
    return offsets.pop() if len(offsets) == 1 else None


def _local_date_sql(column: str, connection) -> tuple[str, list]:
    """SQL for the local (county time zone) date of a stored instant `column`, and its params."""
    zone = timezone.get_current_timezone()
    offset = _fixed_offset(zone) if connection.vendor == "sqlite" else None
    if offset is not None:
        # Django stores naive UTC text on SQLite; date() with a modifier shifts it in C.
        return f"date({column}, %s)", [f"{int(offset.total_seconds())} seconds"]
    return connection.ops.datetime_cast_date_sql(column, (), str(zone))


_TIER_SQL = """
WITH hop (case_id, sent_at, hop_id, unit_id, state, closed_on, concluded_on) AS ({hops}),
span AS (
  SELECT case_id,
    CASE WHEN unit_id IN ({village}) THEN 'village'
         WHEN unit_id IN ({township}) THEN 'township' ELSE 'county' END AS tier,
    {start} AS start_day,
    COALESCE(
      LEAD({start}) OVER (PARTITION BY case_id ORDER BY sent_at, hop_id),
      CASE WHEN state IN ({finals}) THEN COALESCE(closed_on, concluded_on, %s) ELSE %s END
    ) AS stop_day
  FROM hop
)
SELECT tier, 0, NULL, COUNT(DISTINCT case_id) FROM span GROUP BY tier
UNION ALL
SELECT tier, 1, stop_day, COUNT(*) FROM span WHERE stop_day >= start_day GROUP BY tier, stop_day
UNION ALL
SELECT tier, -1, start_day, COUNT(*) FROM span WHERE stop_day >= start_day GROUP BY tier, start_day
"""


def _tier_workdays(
    hops: QuerySet[Custody], *, today: dt.date, snap: calendar.Snapshot
) -> tuple[Counter, Counter]:
    """Working days cases spent at each tier, and how many cases were there, over the custody
    hops `hops`: a hop counts from the day it was sent to its unit until the day the case was
    sent on, or to closure (concluded, else `today`) for a finished case and to `today` for an
    unfinished one; a hop whose end falls before its start counts 0 (RULES.md "Supervision").

    The database pairs each hop with the next (LEAD) and returns, per tier and day, how many
    hops start and end there: working days between two days are the difference of a running
    workday count, so the sum over hops is the sum of running counts at the ends minus those at
    the starts. Only a few thousand (tier, day) rows reach Python, not every hop; the figures are
    exactly those of counting each hop.
    """
    connection = connections[hops.db]
    tiers = _tiers_of_units()
    hop_sql, hop_params = (
        hops.order_by()
        .values_list(
            "case_id",
            "sent_at",
            "pk",
            "to_unit_id",
            "case__state",
            "case__closed_on",
            "case__concluded_on",
        )
        .query.get_compiler(using=hops.db)
        .as_sql()
    )
    start, start_params = _local_date_sql("sent_at", connection)
    village = [pk for pk, t in tiers.items() if t == "village"] or [0]
    township = [pk for pk, t in tiers.items() if t == "township"] or [0]
    finals = sorted(FINAL_STATES)
    sql = _TIER_SQL.format(
        hops=hop_sql,
        village=", ".join(["%s"] * len(village)),
        township=", ".join(["%s"] * len(township)),
        start=start,
        finals=", ".join(["%s"] * len(finals)),
    )
    day = today.isoformat() if connection.vendor == "sqlite" else today
    params = [
        *hop_params,
        *village,
        *township,
        *start_params,
        *start_params,
        *finals,
        day,
        day,
    ]
    tier_days: Counter = Counter()
    tier_cases: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for tier, sign, when, n in cursor.fetchall():
            if sign == 0:
                tier_cases[tier] = n
            else:
                # Working days from the calendar's first day: only differences mean anything.
                tier_days[tier] += sign * n * snap.workdays_after(dt.date.min, _as_date(when))
    return tier_days, tier_cases


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _dashboard_cases(viewer, region: Region) -> tuple[QuerySet[Case], Callable[[str], Q]]:
    """The cases of `region` the viewer sees, and a filter of related rows (`path` names their
    case) to those cases."""
    scope = scope_for(viewer)
    if scope.sees_region_cases and region.prefix.startswith(scope.region_prefix or "\0"):
        # The viewer sees every case of its regions and this region is one of them: the routed
        # cases `cases_visible` adds lie in the region anyway, so the region alone is the set,
        # and related rows can reach it by a join instead of a 200,000-row IN list.
        def of_region(path: str) -> Q:
            return Q(**{f"{path}__region__code__startswith": region.prefix}) & ~Q(
                **{f"{path}__case_class": ERRAND}
            )

        return Case.objects.filter(region__code__startswith=region.prefix), of_region
    base = cases_visible(viewer=viewer).filter(region__code__startswith=region.prefix)
    base_ids = base.order_by().values("pk")

    def of_ids(path: str) -> Q:
        return Q(**{f"{path}__in": base_ids})

    return base, of_ids


def _case_groups(base: QuerySet[Case]) -> list[Mapping[str, Any]]:
    """Every case, counted: one row per (region code, current unit, state) with its count `n`."""
    return list(
        base.order_by()
        .values("region__code", "current_unit_id", "state")
        .annotate(n=Count("pk"))
        .order_by("region__code", "current_unit_id", "state")
    )


def _open_cases(base: QuerySet[Case]) -> list[clocks.OpenCase]:
    """The unfinished cases, by pk, as the light rows their clocks and the dashboard's lists
    read (`clocks.open_cases`: each related version, region, unit and assignee read once)."""
    return clocks.open_cases(base.filter(state__in=clocks.UNFINISHED_STATES))


def _period_hops(base: QuerySet[Case], since: dt.date) -> QuerySet[Custody]:
    """The custody hops of the tier figures' cases: the unfinished ones and those closed (else
    concluded) on or after `since`."""
    in_period = base.filter(
        Q(state__in=clocks.UNFINISHED_STATES)
        | Q(closed_on__gte=since)
        | Q(closed_on=None, concluded_on__gte=since)
        | Q(closed_on=None, concluded_on=None)
    ).values("pk")
    return Custody.objects.filter(case__in=in_period.order_by())


def own_row_name(region: Region) -> str:
    """The row of the cases a region holds itself, beside its children's rows: 县本级, 乡镇本级."""
    if region.level == RegionLevel.COUNTY:
        return _("县本级")
    if region.level == RegionLevel.TOWNSHIP:
        return _("乡镇本级")
    return _("%(r)s本级") % {"r": region.name}


def _clock_states(
    cases: Sequence[clocks.OpenCase], *, today: dt.date, thresholds=None, snap=None
) -> dict[int, list]:
    """{pk: running clocks on `today`} of unfinished cases, each with its item's threshold."""
    thresholds = clocks.thresholds_by_item() if thresholds is None else thresholds
    snap = snap or calendar.snapshot()
    default = clocks.default_threshold()
    out = {}
    for case in cases:
        item_id = case.item_version.item_id if case.item_version else 0
        threshold = thresholds.get(item_id) or default
        out[case.pk] = clocks.case_clocks(case, today=today, threshold=threshold, snap=snap)
    return out


def case_colours(*, viewer, cases: QuerySet[Case], today: dt.date) -> dict[int, str]:
    """{pk: colour} of the unfinished cases of `cases` (already scoped by the caller) on `today`:
    the worst of their running clocks, as the dashboard counts them (`settings.BIANMIN_CASE_
    COLOURS` points the case list here)."""
    rows = _open_cases(cases)
    return {pk: clocks.worst(st) for pk, st in _clock_states(rows, today=today).items()}


# The dashboard counts today's cases: a day further from now means nothing for them, and every
# running clock counts working days to it one by one, so a far date (9999-12-31) would take
# minutes. Ten years either way keeps a request well under a second at county scale.
DASHBOARD_YEARS = 10


def dashboard_date(day: dt.date | None) -> dt.date:
    """`day` (default today) if within DASHBOARD_YEARS of today, else a 422 naming `date`."""
    today = timezone.localdate()
    if day is None:
        return today
    return bounded_date(
        day,
        field="date",
        earliest=years_before(today, DASHBOARD_YEARS),
        latest=latest_date(today),
    )


def dashboard(*, viewer, region_code: str | None = None, today: dt.date | None = None) -> dict:
    """The supervision dashboard of one region in the viewer's jurisdiction (403 outside it).

    Counts cases (by current unit, by child region) by state and by colour, the worst colour
    of their running clocks on `today` (closed cases have no colour); lists the overdue cases
    with who holds them and since when, the working days cases spent at each tier from the
    custody records, and the irregularities RULES.md "Supervision" names: repeated one-time
    notices, late deferred materials, refusals without reasons, applications neither accepted
    nor noticed within 5 working days, and fees off the published standard.

    At county scale almost every case is closed: those are counted with grouped queries and
    only the unfinished cases (the ones with clocks) are loaded, with the fields and child rows
    their clocks read (`_open_cases`); the tier figures are summed in SQL over the custody hops
    of the period (`_tier_workdays`). bench/bench_reports.py times each of these reads against
    hand-written SQL giving the same rows.
    """
    today = dashboard_date(today)
    scope = scope_for(viewer)
    if scope.is_empty:
        raise PermissionDenied(_("无权查看监察信息"))
    region = _region_or_403(viewer, region_code) if region_code else home_region(viewer)
    if not region_code and not scope.can_see_region(region.code):
        raise PermissionDenied(_("无权查看监察信息"))
    snap = calendar.snapshot()
    thresholds = clocks.thresholds_by_item()
    base, of_cases = _dashboard_cases(viewer, region)
    groups = _case_groups(base)
    # One-time notices per case, for the repeated-notice list and the unfinished cases.
    notices = dict(
        OneTimeNotice.objects.filter(of_cases("case"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values_list("case", "n")
    )
    cases = _open_cases(base)
    by_pk = {c.pk: c for c in cases}
    states_label = dict(State.choices)
    clock_states = _clock_states(cases, today=today, thresholds=thresholds, snap=snap)
    colour_of = {pk: clocks.worst(st) for pk, st in clock_states.items()}

    def tally(rows: Sequence[Mapping[str, Any]], open_cases: Sequence[clocks.OpenCase]) -> dict:
        by_state: Counter = Counter()
        for g in rows:
            by_state[g["state"]] += g["n"]
        colours = Counter(colour_of[c.pk] for c in open_cases)
        return {
            "total": sum(by_state.values()),
            "open": len(open_cases),
            "green": colours[clocks.GREEN],
            "yellow": colours[clocks.YELLOW],
            "red": colours[clocks.RED],
            "by_state": dict(by_state),
        }

    # Rows and open cases sorted to the child regions in one pass each (a child's cases are
    # those whose region code starts with its prefix).
    kids = [child for child in region.children.order_by("code") if scope.can_see_region(child.code)]
    # Cases of the region itself (held at its own hall: county-level cases, a township's own)
    # fall under no child: they form the region's own row, so that the rows add up to the
    # region's totals.
    kid_rows: dict[str, list[Mapping[str, Any]]] = {k.prefix: [] for k in kids}
    kid_cases: dict[str, list[clocks.OpenCase]] = {k.prefix: [] for k in kids}
    own_rows: list[Mapping[str, Any]] = []
    own_cases: list[clocks.OpenCase] = []
    widths = sorted({len(k.prefix) for k in kids})

    def bucket_of(code: str, buckets: dict[str, list], own: list) -> list:
        for w in widths:
            if (bucket := buckets.get(code[:w])) is not None:
                return bucket
        return own

    for g in groups:
        bucket_of(g["region__code"], kid_rows, own_rows).append(g)
    for c in cases:
        bucket_of(c.region.code, kid_cases, own_cases).append(c)
    children = [
        {"code": k.code, "name": k.name, "level": k.level, "own": False}
        | tally(kid_rows[k.prefix], kid_cases[k.prefix])
        for k in kids
    ]
    if kids:
        children.append(
            {"code": region.code, "name": own_row_name(region), "level": region.level, "own": True}
            | tally(own_rows, own_cases)
        )
    by_unit: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for g in groups:
        by_unit[g["current_unit_id"]].append(g)
    open_by_unit: dict[int, list[clocks.OpenCase]] = defaultdict(list)
    for c in cases:
        open_by_unit[c.current_unit_id].append(c)
    units = Unit.objects.in_bulk(list(by_unit))
    unit_rows = [
        {
            "id": uid,
            "name": units[uid].name,
            "kind": units[uid].kind,
            "kind_label": units[uid].get_kind_display(),
        }
        | tally(rows, open_by_unit[uid])
        for uid, rows in sorted(by_unit.items(), key=lambda kv: (units[kv[0]].kind, kv[0]))
    ]

    # The tier figures are summed in SQL (see `_tier_workdays`) over the cases of the period;
    # only the unfinished cases' hops are read, for who holds them since when.
    tier_since = tier_period_start(today)
    tier_days, tier_cases = _tier_workdays(_period_hops(base, tier_since), today=today, snap=snap)
    custodies: dict[int, list[_HopRow]] = defaultdict(list)
    for case_id, *hop in (
        Custody.objects.filter(of_cases("case"), case__state__in=clocks.UNFINISHED_STATES)
        .order_by("case", "sent_at", "pk")
        .values_list("case_id", *_HopRow._fields)
    ):
        custodies[case_id].append(_HopRow(*hop))
    tiers = [
        {
            "tier": t,
            "label": TIER_LABELS[t],
            "cases": tier_cases[t],
            "workdays": tier_days[t],
            "average": round(tier_days[t] / tier_cases[t], 1) if tier_cases[t] else 0,
        }
        for t in ("village", "township", "county")
    ]

    overdue = []
    for c in cases:
        if colour_of[c.pk] != clocks.RED:
            continue
        red = [s for s in clock_states[c.pk] if s.colour == clocks.RED]
        since = arrived_on(c, custodies[c.pk])
        overdue.append(
            {
                "number": c.number,
                "item": c.title,
                "state": c.state,
                "state_label": states_label.get(c.state, c.state),
                "unit": c.current_unit.name,
                "holder": c.assigned_name,
                "held_since": since,
                "held_days": calendar.workdays_between(since, today, snap=snap).workdays,
                "over_days": max(s.over for s in red),
                "clocks": [s.label for s in red],
                "due": min(s.due for s in red),
            }
        )
    overdue.sort(key=lambda r: (-r["over_days"], r["number"]))

    # Irregularities over every case: found in SQL, then only the cases named are read.
    flags = defaultdict(list)
    for f in SupervisionFlag.objects.filter(of_cases("case")).order_by("raised_at", "pk"):
        flags[f.kind].append(f)
    no_reason_ids = set(
        base.filter(Q(state=State.DECLINED) | Q(approved=False), reasons="").values_list(
            "pk", flat=True
        )
    )
    deemed_ids = list(base.filter(deemed_accepted=True).order_by("pk").values_list("pk", flat=True))
    standard = dict(
        Fee.objects.order_by()
        .values("version")
        .annotate(total=Sum("amount"))
        .values_list("version", "total")
    )
    # A case charges the standard when its fee equals its version's published total (0 for a
    # version without fees); one filtered scan names the others, no DISTINCT over every case.
    fee_on_q = Q(fee_total=NO_FEE) & ~Q(item_version_id__in=list(standard))
    for version, total in standard.items():
        fee_on_q |= Q(item_version_id=version, fee_total=total)
    item_version_of = dict(
        base.filter(~fee_on_q).order_by("pk").values_list("pk", "item_version_id")
    )
    fee_off_ids = list(item_version_of)
    repeated_ids = {pk for pk, n in notices.items() if n > 1} | {
        f.case_id for f in flags[FlagKind.REPEATED_NOTICE]
    }
    named = (
        repeated_ids
        | {f.case_id for fs in flags.values() for f in fs}
        | no_reason_ids
        | set(deemed_ids)
        | set(fee_off_ids)
    ) - set(by_pk)
    refs = {
        r["pk"]: r
        for r in Case.objects.filter(pk__in=named).values(
            "pk", "number", "item_version__name", "current_unit__name", "fee_total"
        )
    }
    for c in cases:
        refs[c.pk] = {
            "pk": c.pk,
            "number": c.number,
            "item_version__name": c.title,
            "current_unit__name": c.current_unit.name,
            "fee_total": c.fee_total,
        }

    def ref(pk: int, **extra) -> dict:
        r = refs[pk]
        return {
            "number": r["number"],
            "item": r["item_version__name"],
            "unit": r["current_unit__name"],
        } | extra

    repeated = [
        ref(
            pk,
            notices=notices.get(pk, 0),
            refused_attempts=sum(f.case_id == pk for f in flags[FlagKind.REPEATED_NOTICE]),
        )
        for pk in sorted(repeated_ids)
    ]
    late_materials = [
        ref(m.case_id, material=m.name, due=m.due_on)
        for m in CaseMaterial.objects.filter(
            case__in=list(by_pk), status=MaterialStatus.DEFERRED, due_on__lt=today
        ).order_by("due_on", "pk")
    ]
    late_seen = {m["number"] + m["material"] for m in late_materials}
    for f in flags[FlagKind.DEFERRED_OVERDUE]:
        key = refs[f.case_id]["number"] + f.detail
        if key not in late_seen:
            late_materials.append(ref(f.case_id, material=f.detail, due=None))
            late_seen.add(key)
    empty_reasons = _("不予受理或不予批准，理由为空")
    no_reasons = [
        ref(f.case_id, detail=f.detail, at=f.raised_at) for f in flags[FlagKind.NO_REASONS]
    ] + [ref(pk, detail=empty_reasons, at=None) for pk in sorted(no_reason_ids)]
    # A deemed case was accepted on the day it arrived (`cases.services.flags_sweep`).
    arrived_on_day = dict(base.filter(pk__in=deemed_ids).values_list("pk", "accepted_on"))
    unaccepted = [ref(pk, arrived=arrived_on_day[pk], deemed=True) for pk in deemed_ids]
    answer_due: dict[dt.date, calendar.DateAnswer] = {}  # by arrival day: many cases share one
    for c in cases:
        if c.state != State.SUBMITTED or notices.get(c.pk) or not can_accept_here(c):
            continue
        arrived = arrived_on(c, custodies[c.pk])
        if arrived not in answer_due:
            answer_due[arrived] = calendar.add_workdays(arrived, DEEMED_ACCEPTANCE_DAYS, snap=snap)
        if answer_due[arrived].date < today:
            unaccepted.append(ref(c.pk, arrived=arrived, deemed=False))
    fees_off = [
        ref(
            pk,
            charged=refs[pk]["fee_total"],
            standard=standard.get(item_version_of[pk], NO_FEE),
        )
        for pk in fee_off_ids
    ]

    colours = tally(groups, cases)
    parent = (
        region.parent
        if region.parent is not None and scope.can_see_region(region.parent.code)
        else None
    )
    village_cases = []
    if region.level == RegionLevel.VILLAGE:
        village_cases = [
            {
                "number": r["number"],
                "item": r["item_version__name"],
                "unit": r["current_unit__name"],
                "state": r["state"],
                "state_label": states_label.get(r["state"], r["state"]),
                "colour": colour_of.get(r["pk"]),
            }
            for r in base.order_by("pk").values(
                "pk", "number", "item_version__name", "current_unit__name", "state"
            )
        ]
    return {
        "today": today,
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "parent": {"code": parent.code, "name": parent.name} if parent else None,
        "totals": colours,
        "states": [
            {"state": s, "label": states_label[s], "count": colours["by_state"].get(s, 0)}
            for s in State.values
            if colours["by_state"].get(s)
        ],
        "children": children,
        "units": unit_rows,
        "overdue": overdue,
        "tiers": tiers,
        "tier_period": {"since": tier_since, "until": today},
        "repeated_notices": repeated,
        "late_materials": late_materials,
        "no_reasons": no_reasons,
        "unaccepted": unaccepted,
        "fees_off": fees_off,
        "cases": village_cases,
    }
