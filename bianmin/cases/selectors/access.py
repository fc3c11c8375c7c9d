"""Which cases a viewer may see (DESIGN.md "Access follows the region tree and the unit"): every
other read of cases starts from these two."""

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from bianmin.orgs.models import Region
from bianmin.orgs.scope import Scope, scope_for

from ..models import Case, Custody, SubReview


def cases_visible(
    *, viewer, base: QuerySet[Case] | None = None, scope: Scope | None = None
) -> QuerySet[Case]:
    """Every case `viewer` may see (approval cases; pass `base=Case.errands.all()` for errands,
    `Case.all_objects.all()` for both). `scope` saves recomputing `scope_for(viewer)` when the
    caller already holds it."""
    scope = scope or scope_for(viewer)
    qs = Case.objects.all() if base is None else base
    if scope.kind == "all":
        return qs
    if scope.is_empty:
        return qs.none()
    units = list(scope.unit_ids)
    # Hops and joint reviews are matched per case (on their case index). SQLite without ANALYZE
    # statistics takes a one-value `to_unit IN (x)` as an equality as selective as `case_id = ?`
    # and walks the unit's whole custody history for every candidate case: 16-48 s for a village
    # agent's queues or list at county scale. A second value that matches no unit (ids start at
    # 1) keeps it on the case index: tens of ms (issue 8).
    hop_units = [*units, 0]
    routed = (
        Q(deciding_unit__in=units)
        | Q(current_unit__in=units)
        | Q(intake_unit__in=units)
        | Exists(Custody.objects.filter(case=OuterRef("pk"), to_unit__in=hop_units))
        | Exists(SubReview.objects.filter(case=OuterRef("pk"), unit__in=hop_units))
    )
    if scope.sees_region_cases:
        # The scope's regions as a subquery, not a join on every case: SQLite then reads the
        # region_id index and keeps the case table's own plan (as hand-written SQL would).
        regions = Region.objects.filter(scope.region_q()).values("pk")
        return qs.filter(Q(region__in=regions) | routed)
    return qs.filter(routed)


def visible_on_its_face(scope: Scope, case: Case) -> bool:
    """Whether one of the case's own columns lets `scope` see it: the arms of `cases_visible`
    that need no other table (its units, its region; `case.region` loaded with it). False
    says nothing: the case may still have passed through the scope's units (ask the database).
    A case page read this way runs one query fewer (issue 17)."""
    if scope.kind == "all":
        return True
    if scope.is_empty:
        return False
    units = scope.unit_ids
    if {case.deciding_unit_id, case.current_unit_id, case.intake_unit_id} & units:
        return True
    prefix = scope.region_prefix
    return scope.sees_region_cases and prefix is not None and case.region.code.startswith(prefix)


def open_cases_visible(*, viewer, states, scope: Scope | None = None) -> QuerySet[Case]:
    """The cases in `states` (unfinished ones: a few thousand next to the closed history) that
    `viewer` may see: the same rule as `cases_visible` (DESIGN.md "Access follows the region tree
    and the unit"), written so that every arm is an index search.

    `cases_visible(...).filter(state__in=...)` tests every unfinished case of the county against
    the scope, two correlated subqueries per case: ~4,200 cases for a township that sees ~140 at
    200,000 cases. Here each arm carries the state list, so SQLite takes a multi-index OR over the
    (column, state) indexes and PostgreSQL a BitmapOr; the units a case went through are the
    intersection of the unit's hops (covering index) with the unfinished cases, not a lookup of
    every case the unit ever held (issue 8). A jurisdiction sees nearly every unfinished case:
    the plain scan is the cheaper plan there.
    """
    scope = scope or scope_for(viewer)
    # PostgreSQL plans the plain read well (22 ms for a township at 200,000 cases) and the
    # split one badly (103 ms); SQLite the other way round (43 ms scan, 27 ms split). Measured
    # with bench/bench_queries.py on both; the rows are the same either way (tested).
    if (
        scope.kind in ("all", "jurisdiction")
        or scope.is_empty
        or connections[Case.objects.db].vendor != "sqlite"
    ):
        return cases_visible(viewer=viewer, scope=scope).filter(state__in=states)
    states = sorted(states)
    units = sorted(scope.unit_ids)
    hop_units = [*units, 0]  # see cases_visible: keeps SQLite off a one-unit equality plan
    unfinished = Case.all_objects.filter(state__in=states).order_by().values_list("pk")
    # The unfinished cases its units held or review, read into short id lists first: inside the
    # OR SQLite would run each intersection twice.
    # Cases are numbered in order and unfinished ones are recent: hops of cases older than the
    # oldest unfinished one (most of a unit's history) are skipped by the index range.
    oldest = Subquery(unfinished.order_by("pk").values("pk")[:1])
    held = (
        Custody.objects.filter(to_unit__in=hop_units, case_id__gte=oldest)
        .order_by()
        .values_list("case_id")
    )
    reviewing = (
        SubReview.objects.filter(unit__in=hop_units, case_id__gte=oldest)
        .order_by()
        .values_list("case_id")
    )
    passed = [
        row[0] for routed in (held, reviewing) for row in routed.intersection(unfinished).order_by()
    ]
    arms = (
        Q(state__in=states, current_unit__in=units)
        | Q(state__in=states, deciding_unit__in=units)
        | Q(state__in=states, intake_unit__in=units)
        | Q(state__in=states, pk__in=passed)
    )
    if scope.sees_region_cases:
        regions = Region.objects.filter(scope.region_q()).order_by().values("pk")
        arms |= Q(state__in=states, region__in=regions)
    # The state list stays inside every arm: a `state IN` next to the OR makes SQLite read the
    # (state, promised_due) index instead, back to testing every unfinished case.
    return Case.objects.filter(arms)
