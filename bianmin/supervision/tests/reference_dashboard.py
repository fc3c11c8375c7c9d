"""The dashboard as it was before it aggregated in SQL (issue 8): every case of the region loaded
with its pauses, steps and materials and counted in Python. Kept here, unchanged, as the oracle
the aggregated `selectors.dashboard` must agree with figure for figure."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.deadlines import DEEMED_ACCEPTANCE_DAYS, arrived_on
from bianmin.cases.models import (
    FINAL_STATES,
    Case,
    CaseMaterial,
    Custody,
    FlagKind,
    MaterialStatus,
    State,
    SupervisionFlag,
)
from bianmin.cases.routing import can_accept_here
from bianmin.cases.selectors import cases_visible
from bianmin.catalog.models import Fee
from bianmin.common.errors import PermissionDenied
from bianmin.orgs.models import Region, RegionLevel
from bianmin.orgs.scope import scope_for
from bianmin.supervision import clocks
from bianmin.supervision.selectors.regions import home_region, own_row_name
from bianmin.supervision.selectors.regions import region_or_403 as _region_or_403
from bianmin.supervision.selectors.tiers import TIER_LABELS, TIER_PERIOD_DAYS
from bianmin.supervision.selectors.tiers import tier_of as _tier_of
from bianmin.workdays import calendar


def _end_of(case: Case, today: dt.date) -> dt.date:
    if case.state in FINAL_STATES:
        return case.closed_on or case.concluded_on or today
    return today


def reference_dashboard(
    *, viewer, region_code: str | None = None, today: dt.date | None = None
) -> dict:
    """The supervision dashboard of one region in the viewer's jurisdiction (403 outside it).

    Counts cases (by current unit, by child region) by state and by colour, the worst colour
    of their running clocks on `today` (closed cases have no colour); lists the overdue cases
    with who holds them and since when, the working days cases spent at each tier from the
    custody records, and the irregularities RULES.md "Supervision" names: repeated one-time
    notices, late deferred materials, refusals without reasons, applications neither accepted
    nor noticed within 5 working days, and fees off the published standard.
    """
    today = today or timezone.localdate()
    scope = scope_for(viewer)
    if scope.is_empty:
        raise PermissionDenied(_("无权查看监察信息"))
    region = _region_or_403(viewer, region_code) if region_code else home_region(viewer)
    if not region_code and not scope.can_see_region(region.code):
        raise PermissionDenied(_("无权查看监察信息"))
    snap = calendar.snapshot()
    thresholds = clocks.thresholds_by_item()
    base = cases_visible(viewer=viewer).filter(region__code__startswith=region.prefix)
    fee_std = (
        Fee.objects.filter(version=OuterRef("item_version"))
        .values("version")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    cases = list(
        base.select_related(
            "item_version",
            "current_unit__parent",
            "region",
            "assigned_to__staff",
        )
        .prefetch_related("pauses", "steps", "materials")
        .annotate(
            notice_count=Count("notices", distinct=True),
            fee_standard=Coalesce(
                Subquery(fee_std, output_field=DecimalField(max_digits=10, decimal_places=2)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=10, decimal_places=2),
            ),
        )
        .order_by("pk")
    )
    custodies: dict[int, list[Custody]] = defaultdict(list)
    for c in (
        Custody.objects.filter(case__in=[c.pk for c in cases])
        .select_related("to_unit__parent")
        .order_by("case", "sent_at", "pk")
    ):
        custodies[c.case_id].append(c)

    states_label = dict(State.choices)
    colour_of: dict[int, str | None] = {}
    clock_states: dict[int, list] = {}
    for case in cases:
        if case.state in FINAL_STATES:
            colour_of[case.pk] = None
            continue
        threshold = thresholds.get(case.item_version.item_id) or clocks.default_threshold()
        st = clocks.case_clocks(case, today=today, threshold=threshold, snap=snap)
        clock_states[case.pk] = st
        colour_of[case.pk] = clocks.worst(st)

    def tally(rows: list[Case]) -> dict:
        out = {
            "total": len(rows),
            "open": sum(colour_of[c.pk] is not None for c in rows),
            "green": sum(colour_of[c.pk] == clocks.GREEN for c in rows),
            "yellow": sum(colour_of[c.pk] == clocks.YELLOW for c in rows),
            "red": sum(colour_of[c.pk] == clocks.RED for c in rows),
            "by_state": dict(Counter(c.state for c in rows)),
        }
        return out

    children = []
    for child in region.children.order_by("code"):
        if not scope.can_see_region(child.code):
            continue
        rows = [c for c in cases if c.region.code.startswith(child.prefix)]
        children.append(
            {"code": child.code, "name": child.name, "level": child.level, "own": False}
            | tally(rows)
        )
    if children:
        # Issue 14: the region's own cases (held at its own hall) are a row of their own, so
        # that the rows add up to the region.
        prefixes = tuple(Region.objects.get(code=r["code"]).prefix for r in children)
        rows = [c for c in cases if not c.region.code.startswith(prefixes)]
        children.append(
            {
                "code": region.code,
                "name": own_row_name(region),
                "level": region.level,
                "own": True,
            }
            | tally(rows)
        )
    by_unit: dict[int, list[Case]] = defaultdict(list)
    units = {}
    for c in cases:
        by_unit[c.current_unit_id].append(c)
        units[c.current_unit_id] = c.current_unit
    unit_rows = [
        {
            "id": uid,
            "name": units[uid].name,
            "kind": units[uid].kind,
            "kind_label": units[uid].get_kind_display(),
        }
        | tally(rows)
        for uid, rows in sorted(by_unit.items(), key=lambda kv: (units[kv[0]].kind, kv[0]))
    ]

    overdue = []
    for c in cases:
        if colour_of[c.pk] != clocks.RED:
            continue
        red = [s for s in clock_states[c.pk] if s.colour == clocks.RED]
        since = arrived_on(c, custodies[c.pk])
        holder = c.assigned_to
        overdue.append(
            {
                "number": c.number,
                "item": c.item_version.name,
                "state": c.state,
                "state_label": states_label.get(c.state, c.state),
                "unit": c.current_unit.name,
                "holder": (getattr(getattr(holder, "staff", None), "full_name", "") or str(holder))
                if holder
                else "",
                "held_since": since,
                "held_days": calendar.workdays_between(since, today, snap=snap).workdays,
                "over_days": max(s.over for s in red),
                "clocks": [s.label for s in red],
                "due": min(s.due for s in red),
            }
        )
    overdue.sort(key=lambda r: (-r["over_days"], r["number"]))

    # Deliberate change (issue 8): the tier figures no longer cover the whole history but the
    # current work, every unfinished case and the cases finished in the last TIER_PERIOD_DAYS
    # days (a finished case by the day it was closed, else concluded). The rest of the oracle is
    # unchanged.
    tier_since = today - dt.timedelta(days=TIER_PERIOD_DAYS)
    tier_days: dict[str, int] = Counter()
    tier_cases: dict[str, set] = defaultdict(set)
    for c in cases:
        hops = custodies[c.pk]
        end = _end_of(c, today)
        if c.state in FINAL_STATES and end < tier_since:
            continue
        for i, hop in enumerate(hops):
            start = timezone.localdate(hop.sent_at)
            stop = timezone.localdate(hops[i + 1].sent_at) if i + 1 < len(hops) else end
            tier = _tier_of(hop.to_unit)
            tier_days[tier] += max(0, calendar.workdays_between(start, stop, snap=snap).workdays)
            tier_cases[tier].add(c.pk)
    tiers = [
        {
            "tier": t,
            "label": TIER_LABELS[t],
            "cases": len(tier_cases[t]),
            "workdays": tier_days[t],
            "average": round(tier_days[t] / len(tier_cases[t]), 1) if tier_cases[t] else 0,
        }
        for t in ("village", "township", "county")
    ]

    ids = [c.pk for c in cases]
    by_pk = {c.pk: c for c in cases}
    flags = defaultdict(list)
    for f in SupervisionFlag.objects.filter(case__in=ids).order_by("raised_at", "pk"):
        flags[f.kind].append(f)

    def ref(c: Case, **extra) -> dict:
        return {
            "number": c.number,
            "item": c.item_version.name,
            "unit": c.current_unit.name,
        } | extra

    repeated_ids = {c.pk for c in cases if c.notice_count > 1} | {
        f.case_id for f in flags[FlagKind.REPEATED_NOTICE]
    }
    repeated = [
        ref(
            by_pk[pk],
            notices=by_pk[pk].notice_count,
            refused_attempts=sum(f.case_id == pk for f in flags[FlagKind.REPEATED_NOTICE]),
        )
        for pk in sorted(repeated_ids)
    ]
    late_materials = [
        ref(by_pk[m.case_id], material=m.name, due=m.due_on)
        for m in CaseMaterial.objects.filter(
            case__in=[c.pk for c in cases if c.state not in FINAL_STATES],
            status=MaterialStatus.DEFERRED,
            due_on__lt=today,
        ).order_by("due_on", "pk")
    ]
    late_seen = {m["number"] + m["material"] for m in late_materials}
    for f in flags[FlagKind.DEFERRED_OVERDUE]:
        c = by_pk[f.case_id]
        key = c.number + f.detail
        if key not in late_seen:
            late_materials.append(ref(c, material=f.detail, due=None))
            late_seen.add(key)
    no_reason_ids = {
        c.pk for c in cases if (c.state == State.DECLINED or c.approved is False) and not c.reasons
    }
    no_reasons = [
        ref(by_pk[f.case_id], detail=f.detail, at=f.raised_at) for f in flags[FlagKind.NO_REASONS]
    ] + [ref(by_pk[pk], detail=_("不予受理或不予批准，理由为空"), at=None) for pk in no_reason_ids]
    unaccepted = [ref(c, arrived=c.accepted_on, deemed=True) for c in cases if c.deemed_accepted]
    for c in cases:
        if c.state != State.SUBMITTED or c.notice_count or not can_accept_here(c):
            continue
        arrived = arrived_on(c, custodies[c.pk])
        if calendar.add_workdays(arrived, DEEMED_ACCEPTANCE_DAYS, snap=snap).date < today:
            unaccepted.append(ref(c, arrived=arrived, deemed=False))
    fees_off = [
        ref(c, charged=c.fee_total, standard=c.fee_standard)
        for c in cases
        if c.fee_total != c.fee_standard
    ]

    colours = tally(cases)
    parent = (
        region.parent if region.parent_id and scope.can_see_region(region.parent.code) else None
    )
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
        "cases": [
            ref(
                c,
                state=c.state,
                state_label=states_label.get(c.state, c.state),
                colour=colour_of[c.pk],
            )
            for c in cases
        ]
        if region.level == RegionLevel.VILLAGE
        else [],
    }
