"""The live cases' board figures kept between boards (`models.LiveCase`), brought up to date
before a board reads them and read for a region in a few grouped queries.

A county has some 35,000 unfinished cases at any time. Reading them with their clock rows and
running every clock took a board 1.5 s at 1.5 million cases, their tier figures 0.7 s and their
irregularities 0.6 s, every time. Kept, a board computes only the cases with an event since and
reads the rest as rows: the colour counts and tier figures are sums in SQL, and only the cases
the lists name (red, waiting for acceptance, with a late deferred material) are read whole.
`tests/test_settled.py` compares every panel with counting every case, after changes too."""

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from bianmin.cases.deadlines import relay_limit
from bianmin.cases.models import FINAL_STATES, Case, Custody, State
from bianmin.common.id_list import IdList
from bianmin.workdays import calendar

from .. import clocks
from ..case_rows import open_cases
from ..models import LiveCase
from .irregular_cases import Irregular, fee_standards, irregular_cases
from .settled import UNFINISHED, live, month_start

# Bumped when what a row holds, or how it is computed, changes: every row is computed again.
ROWS_VERSION = 1
BATCH = 5000
TIERS = ("village", "township", "county")


def basis(snap: calendar.Snapshot, thresholds: Mapping, tiers: Mapping[int, str]) -> str:
    """A fingerprint of what the rows are computed with besides the cases themselves."""
    what = (
        ROWS_VERSION,
        sorted(snap.exceptions.items()),
        sorted(snap.years),
        sorted((item, t.days_before, t.percent_left) for item, t in thresholds.items()),
        clocks.default_threshold(),
        relay_limit(),
        sorted(tiers.items()),
        str(timezone.get_current_timezone()),
    )
    return hashlib.blake2b(repr(what).encode(), digest_size=16).hexdigest()


def refresh(
    today: dt.date, *, snap: calendar.Snapshot, thresholds: Mapping, tiers: Mapping[int, str]
) -> int:
    """Bring the rows up to date for a board of `today`; returns how many were computed."""
    current = month_start(today)
    fingerprint = basis(snap, thresholds, tiers)
    # Rows computed with other inputs, on a later day (the clock was turned back), of cases a
    # closed month now stores, or of cases with an event since.
    LiveCase.objects.filter(
        ~Q(basis=fingerprint) | Q(since__gt=today) | Q(settled_on__lt=current)
    ).delete()
    LiveCase.objects.exclude(seq=F("case__last_event_seq")).delete()
    missing = list(
        live(Case.objects.all(), current)
        .exclude(pk__in=LiveCase.objects.values("case_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not missing:
        return 0
    standard = fee_standards()
    memo = clocks.Memo()
    default = clocks.default_threshold()
    for start in range(0, len(missing), BATCH):
        rows = _compute(
            missing[start : start + BATCH],
            today=today,
            snap=snap,
            thresholds=thresholds,
            default=default,
            tiers=tiers,
            standard=standard,
            memo=memo,
            fingerprint=fingerprint,
        )
        # Another board may have computed some meanwhile: theirs are as good.
        with transaction.atomic():
            LiveCase.objects.bulk_create(rows, ignore_conflicts=True)
    return len(missing)


def _compute(ids, *, today, snap, thresholds, default, tiers, standard, memo, fingerprint):
    chosen = Case.objects.filter(pk__in=IdList(ids))
    # The event count first: a case changed while it is read is computed again next time.
    head = {
        pk: (seq, closed_on, concluded_on)
        for pk, seq, closed_on, concluded_on in chosen.values_list(
            "pk", "last_event_seq", "closed_on", "concluded_on"
        )
    }
    hops = defaultdict(list)
    for case_id, sent_at, unit_id in (
        Custody.objects.filter(case__in=chosen)
        .order_by("case", "sent_at", "pk")
        .values_list("case_id", "sent_at", "to_unit_id")
    ):
        hops[case_id].append((timezone.localdate(sent_at), tiers.get(unit_id, "county")))
    found = defaultdict(list)
    for row in irregular_cases(chosen, standard):
        found[row.case_id].append([row.kind, row.value])
    out = []
    for case in open_cases(chosen):
        seq, closed_on, concluded_on = head[case.pk]
        final = case.state in FINAL_STATES
        item_id = case.item_version.item_id if case.item_version else 0
        schedule = clocks.case_schedule(
            case,
            since=today,
            threshold=thresholds.get(item_id) or default,
            snap=snap,
            memo=memo,
        )
        late = [m.due_on for m in case.materials.all() if m.due_on is not None]
        days, seen, open_hop = _tier_figures(
            hops[case.pk], stop=(closed_on or concluded_on) if final else None, snap=snap
        )
        out.append(
            LiveCase(
                case_id=case.pk,
                seq=seq,
                basis=fingerprint,
                since=today,
                region_code=case.region.code,
                unit_id=case.current_unit_id,
                state=case.state,
                settled_on=(closed_on or concluded_on) if final else None,
                yellow_on=schedule.yellow_on,
                red_on=schedule.red_on,
                material_late_on=min(late) + dt.timedelta(days=1) if late else None,
                village_days=days["village"],
                township_days=days["township"],
                county_days=days["county"],
                at_village="village" in seen,
                at_township="township" in seen,
                at_county="county" in seen,
                open_tier=open_hop[0] if open_hop else "",
                open_since=open_hop[1] if open_hop else None,
                irregular=found.get(case.pk),
            )
        )
    return out


def _tier_figures(hops, *, stop: dt.date | None, snap) -> tuple[Counter, set, tuple | None]:
    """A case's hops as `tier_sql.tier_workdays` counts them: each from the day it was sent to
    the next one's, the last to `stop` (a final case's date), else to the board's day (returned
    as the open hop). Working days of a hop ending before it began count 0."""
    days: Counter = Counter()
    seen = set()
    for i, (start, tier) in enumerate(hops):
        seen.add(tier)
        end = hops[i + 1][0] if i + 1 < len(hops) else stop
        if end is None:
            return days, seen, (tier, start)
        days[tier] += snap.workdays_after(start, end)
    return days, seen, None


@dataclass
class LiveFigures:
    """A region's live cases as a board reads them from the rows."""

    groups: list[dict]  # as `board.case_groups`, with colour counts for the unfinished states
    listed: list[int]  # the unfinished cases the lists name
    tier_days: Counter
    tier_cases: Counter
    irregular: list[Irregular]


def read(prefix: str, today: dt.date, *, every_open: bool, snap) -> LiveFigures:
    """The rows of the region with code prefix `prefix` on `today`. `every_open`: list every
    unfinished case (a village's board lists each case with its colour)."""
    rows = LiveCase.objects.filter(region_code__startswith=prefix)
    red = Q(red_on__lte=today)
    yellow = Q(yellow_on__lte=today) & ~red
    groups = []
    for g in (
        rows.values("region_code", "unit_id", "state")
        .annotate(n=Count("pk"), red=Count("pk", filter=red), yellow=Count("pk", filter=yellow))
        .order_by("region_code", "unit_id", "state")
    ):
        group = {
            "region__code": g["region_code"],
            "current_unit_id": g["unit_id"],
            "state": g["state"],
            "n": g["n"],
        }
        if g["state"] in UNFINISHED:
            group |= {
                clocks.RED: g["red"],
                clocks.YELLOW: g["yellow"],
                clocks.GREEN: g["n"] - g["red"] - g["yellow"],
            }
        groups.append(group)
    unfinished = rows.filter(state__in=UNFINISHED)
    if not every_open:
        unfinished = unfinished.filter(
            red | Q(state=State.SUBMITTED) | Q(material_late_on__lte=today)
        )
    sums = rows.aggregate(
        **{f"{t}_days": Sum(f"{t}_days") for t in TIERS},
        **{f"{t}_cases": Count("pk", filter=Q(**{f"at_{t}": True})) for t in TIERS},
    )
    tier_days = Counter({t: sums[f"{t}_days"] or 0 for t in TIERS})
    tier_cases = Counter({t: sums[f"{t}_cases"] for t in TIERS})
    for tier, since, n in (
        rows.filter(open_since__lte=today)
        .exclude(open_tier="")
        .values_list("open_tier", "open_since")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        tier_days[tier] += n * snap.workdays_after(since, today)
    return LiveFigures(
        groups=groups,
        listed=list(unfinished.order_by("pk").values_list("case_id", flat=True)),
        tier_days=tier_days,
        tier_cases=tier_cases,
        irregular=[
            Irregular(kind, case_id, code, value)
            for case_id, code, found in rows.filter(irregular__isnull=False).values_list(
                "case_id", "region_code", "irregular"
            )
            for kind, value in found or ()
        ],
    )
