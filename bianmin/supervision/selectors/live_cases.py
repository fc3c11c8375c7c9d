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
from typing import Any

from django.core.cache import caches
from django.db import connections, models, router, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.constants import OnConflict
from django.utils import timezone

from bianmin.cases.deadlines import relay_limit
from bianmin.cases.models import FINAL_STATES, Case, CaseEvent, Custody, State
from bianmin.catalog.models import ItemVersion
from bianmin.common.cache_keys import cache_key
from bianmin.common.id_list import IdList
from bianmin.orgs.models import Unit
from bianmin.orgs.selectors import display_names
from bianmin.workdays import calendar

from .. import board_store, clocks, schedules
from ..case_rows import HopRow, open_cases
from ..listed import (
    Listed,
    deadlines_json,
    deadlines_of,
    listed_of,
    materials_from,
    materials_json,
)
from ..models import LiveCase
from .irregular_cases import Irregular, fee_standards, irregular_cases
from .settled import RECHECK_EVENTS, UNFINISHED, live, month_start
from .tier_sql import fixed_offset

# Bumped when what a row holds, or how it is computed, changes: every row is computed again.
ROWS_VERSION = 1
BATCH = 5000
ANALYZE_AFTER = 10_000  # rows written at once (a first computation, a new calendar or threshold)
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
    # Rows computed with other inputs, on a later day (the clock was turned back), or of cases a
    # closed month now stores.
    LiveCase.objects.filter(
        ~Q(basis=fingerprint) | Q(since__gt=today) | Q(settled_on__lt=current)
    ).delete()
    newest = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    upto = LiveCase.objects.aggregate(upto=Max("events_upto"))["upto"]
    checked = caches[board_store.ALIAS]
    check_key = cache_key("live-cases-checked", today.isoformat(), fingerprint)
    daily = upto is None or not checked.get(check_key)
    changed: list[int] = []
    if upto is not None:
        # The cases with an event since (a case becomes live or changes by one), less those
        # whose row is as new as their last event; on the day's first board also any row whose
        # case's event count moved otherwise (a join of every row, 0.04-0.09 s: once a day).
        found = set(
            CaseEvent.objects.filter(pk__gt=upto - RECHECK_EVENTS)
            .order_by()
            .values_list("case_id", flat=True)
        )
        if daily:
            found |= set(
                LiveCase.objects.exclude(seq=F("case__last_event_seq")).values_list(
                    "case_id", flat=True
                )
            )
        found -= set(
            LiveCase.objects.filter(
                case_id__in=IdList(found), seq=F("case__last_event_seq")
            ).values_list("case_id", flat=True)
        )
        changed = sorted(found)
    ids = set(
        live(Case.objects.filter(pk__in=IdList(changed)), current).values_list("pk", flat=True)
    )
    if daily:
        # Nothing kept, or the first board of the day: every live case without a row (an OR of
        # states and dates, a scan of the table: 0.7 s at 1.5 million cases, once a day).
        ids |= set(
            live(Case.objects.all(), current)
            .exclude(pk__in=LiveCase.objects.values("case_id"))
            .values_list("pk", flat=True)
        )
    if not ids and not changed:
        checked.set(check_key, True, board_store.KEEP)
        return 0
    standard = fee_standards()
    memo = clocks.Memo()
    default = clocks.default_threshold()
    ordered = sorted(ids)
    rows = [
        row
        for start in range(0, len(ordered), BATCH)
        for row in _compute(
            ordered[start : start + BATCH],
            today=today,
            snap=snap,
            thresholds=thresholds,
            default=default,
            tiers=tiers,
            standard=standard,
            memo=memo,
            fingerprint=fingerprint,
            upto=newest,
        )
    ]
    # All or nothing: the newest `events_upto` vouches that every live case has a row. Another
    # board may have computed some meanwhile: theirs are as good.
    with transaction.atomic():
        LiveCase.objects.filter(case_id__in=IdList(changed)).delete()
        _insert(rows)
    checked.set(check_key, True, board_store.KEEP)
    return len(rows)


def _insert(rows: list[dict]) -> None:
    """The rows written as one statement run for each, conflicts (rows another board wrote
    meanwhile) ignored: `bulk_create` built a model and prepared each of the 25 fields of each
    row through the ORM, 17 s of the 33 s of computing 47,701 rows."""
    if not rows:
        return
    connection = connections[router.db_for_write(LiveCase)]
    fields: list[Any] = [LiveCase._meta.get_field(name) for name in rows[0]]
    ops = connection.ops
    sql = "{} {} ({}) VALUES ({}) {}".format(
        ops.insert_statement(on_conflict=OnConflict.IGNORE),
        ops.quote_name(LiveCase._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None),
    )
    # Only the JSON and date columns need the database's own form; the others are plain values.
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dates_at = [i for i, f in enumerate(fields) if isinstance(f, models.DateField)]
    params = []
    for row in rows:
        values = list(row.values())
        for i in json_at:
            values[i] = fields[i].get_db_prep_save(values[i], connection)
        for i in dates_at:
            values[i] = ops.adapt_datefield_value(values[i])
        params.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])
        if connection.vendor == "postgresql" and len(rows) >= ANALYZE_AFTER:
            # Until autovacuum gets to a table just filled, PostgreSQL plans the boards' reads of
            # it without statistics: 1.12 s a county board at 1.5 million cases against 0.85 s.
            cursor.execute(f"ANALYZE {ops.quote_name(LiveCase._meta.db_table)}")


def _compute(ids, *, today, snap, thresholds, default, tiers, standard, memo, fingerprint, upto):
    chosen = Case.objects.filter(pk__in=IdList(ids))
    # The event count first: a case changed while it is read is computed again next time.
    head = {
        pk: (seq, closed_on, concluded_on)
        for pk, seq, closed_on, concluded_on in chosen.values_list(
            "pk", "last_event_seq", "closed_on", "concluded_on"
        )
    }
    hops = defaultdict(list)
    for case_id, *hop in (
        Custody.objects.filter(case__in=chosen)
        .order_by("case", "sent_at", "pk")
        .values_list("case_id", "sent_at", *HopRow._fields)
    ):
        hops[case_id].append(hop)
    offset = fixed_offset(timezone.get_current_timezone())
    local_day = timezone.localdate if offset is None else lambda at: (at + offset).date()
    found = defaultdict(list)
    for row in irregular_cases(chosen, standard):
        found[row.case_id].append([row.kind, row.value])
    out = []
    for case in open_cases(chosen):
        seq, closed_on, concluded_on = head[case.pk]
        final = case.state in FINAL_STATES
        case_hops = [HopRow(*hop) for _sent, *hop in hops[case.pk]]
        listed = listed_of(case, case_hops, snap=snap)
        schedule = schedules.schedule_of(
            listed.deadlines,
            since=today,
            threshold=thresholds.get(listed.item_id) or default,
            snap=snap,
            memo=memo,
        )
        late = [m.due_on for m in listed.materials]
        days, seen, open_hop = _tier_figures(
            [(local_day(sent), tiers.get(unit, "county")) for sent, unit, _r in hops[case.pk]],
            stop=(closed_on or concluded_on) if final else None,
            snap=snap,
        )
        out.append(
            dict(
                case_id=case.pk,
                seq=seq,
                events_upto=upto,
                basis=fingerprint,
                since=today,
                region_code=case.region.code,
                unit_id=case.current_unit_id,
                state=case.state,
                settled_on=(closed_on or concluded_on) if final else None,
                yellow_on=schedule.yellow_on,
                red_on=schedule.red_on,
                material_late_on=min(late) + dt.timedelta(days=1) if late else None,
                number=case.number,
                item_version_id=case.item_version_id,
                assigned_to_id=case.assigned_to_id,
                can_accept=listed.can_accept,
                arrived_on=listed.arrived_on,
                listing=[deadlines_json(listed.deadlines), materials_json(listed.materials)],
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
    listed: list[Listed]  # the unfinished cases the lists name
    red: set[int]  # those of them that are red
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
    # Counted by `state` (never null), not the key: every column then comes from the index
    # live_case_groups, 35 ms against 131 ms at 1.5 million cases on SQLite (the key is not
    # in that index, so counting it read each row of the table too).
    for g in (
        rows.values("region_code", "unit_id", "state")
        .annotate(
            n=Count("state"), red=Count("state", filter=red), yellow=Count("state", filter=yellow)
        )
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
    listed, red_ids = _listed(unfinished, red)
    return LiveFigures(
        groups=groups,
        listed=listed,
        red=red_ids,
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


def _listed(rows, red: Q) -> tuple[list[Listed], set[int]]:
    """The rows as the lists read them, the names of their item versions, units and assignees
    looked up by id (each read once, as they are now); and which of them are `red`."""
    found = list(
        rows.annotate(is_red=red)
        .order_by("case_id")
        .values_list(
            "is_red",
            "case_id",
            "number",
            "state",
            "item_version_id",
            "unit_id",
            "assigned_to_id",
            "can_accept",
            "arrived_on",
            "listing",
        )
    )
    versions = {
        pk: (item_id, name)
        for pk, item_id, name in ItemVersion.objects.filter(
            pk__in={r[4] for r in found if r[4]}
        ).values_list("pk", "item_id", "name")
    }
    units = dict(Unit.objects.filter(pk__in={r[5] for r in found}).values_list("pk", "name"))
    names = display_names(r[6] for r in found if r[6])
    red_ids = {r[1] for r in found if r[0]}
    return [
        Listed(
            pk=pk,
            number=number,
            state=state,
            item_id=versions[version][0] if version else 0,
            title=versions[version][1] if version else "",
            unit_name=units[unit],
            holder=names[assignee] if assignee else "",
            can_accept=can_accept,
            arrived_on=arrived,
            deadlines=deadlines_of(deadlines),
            materials=materials_from(materials),
        )
        for _is_red, pk, number, state, version, unit, assignee, can_accept, arrived, (
            deadlines,
            materials,
        ) in found
    ], red_ids
