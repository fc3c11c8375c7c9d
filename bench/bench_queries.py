"""Work queues, case list and case page (selectors and pages), supervision sweep and dashboard.

Each heavy ORM path is timed next to hand-written SQL answering the same question on the same
data in the same run; the ratio ORM / SQL is printed. Prints figures, asserts nothing.
"""

import datetime as dt
import itertools
import time

from _common import dataset, describe, queries, raw, row, timed, user
from _record import section
from django.test import Client
from django.utils import timezone

from bianmin.cases import selectors
from bianmin.cases.models import State
from bianmin.orgs.scope import scope_for


def visible_sql(scope) -> tuple[str, list]:
    """The township/department visibility predicate, written by hand."""
    units = sorted(scope.unit_ids)
    marks = ", ".join(["%s"] * len(units))
    # The hops' unit list gets a second value matching nothing, as the selector does: with a
    # single unit SQLite (no ANALYZE statistics) would walk that unit's every hop per case.
    sql = (
        f"(c.current_unit_id IN ({marks}) OR c.deciding_unit_id IN ({marks}) "
        f"OR c.intake_unit_id IN ({marks}) "
        f"OR EXISTS (SELECT 1 FROM cases_custody k WHERE k.case_id = c.id AND k.to_unit_id IN ({marks}, 0)) "
        f"OR EXISTS (SELECT 1 FROM cases_subreview s WHERE s.case_id = c.id AND s.unit_id IN ({marks}, 0))"
    )
    params = units * 5
    if scope.sees_region_cases:
        sql += " OR c.region_id IN (SELECT id FROM orgs_region WHERE code LIKE %s)"
        params.append(scope.region_prefix + "%")
    return sql + ")", params


# What a list row shows (the page and the API's list items), names joined in; the clock of a
# running case also needs its pauses (`page_sql`).
COLUMNS = (
    "c.id, c.number, c.state, c.case_class, c.channel, c.errand_kind, c.applicant_kind, "
    "c.applicant_name, c.id_number, c.credit_code, c.phone, c.created_at, c.submitted_on, "
    "c.accepted_on, c.concluded_on, c.closed_on, c.promised_due, c.statutory_due, c.proxy_due, "
    "c.delivery_due, c.deadlines_provisional, c.lock_version, v.name, cu.name, iu.name, du.name, "
    "s.full_name"
)
JOINS = (
    "FROM cases_case c LEFT JOIN catalog_itemversion v ON v.id = c.item_version_id "
    "JOIN orgs_unit cu ON cu.id = c.current_unit_id JOIN orgs_unit iu ON iu.id = c.intake_unit_id "
    "JOIN orgs_unit du ON du.id = c.deciding_unit_id "
    "LEFT JOIN orgs_staff s ON s.user_id = c.assigned_to_id"
)


def page_sql(where: str, params: list, limit: int) -> list:
    """A page of list rows by hand: the page's ids (newest first), the rows with their names,
    then the pauses of the accepted ones (their clock)."""
    rows = raw(
        "WITH page AS (SELECT c.id FROM cases_case c "  # noqa: S608 - bench SQL, no user input
        f"WHERE {where} ORDER BY c.created_at DESC, c.id DESC LIMIT {limit + 1}) "
        f"SELECT {COLUMNS} {JOINS} WHERE c.id IN (SELECT id FROM page) "
        "ORDER BY c.created_at DESC, c.id DESC",
        params,
    )
    running = [r[0] for r in rows if r[13] is not None]
    if running:
        marks = ", ".join(["%s"] * len(running))
        raw(
            f"SELECT case_id, started_on, ended_on FROM cases_pause WHERE case_id IN ({marks}) "
            "ORDER BY started_on, id",
            running,
        )
    return rows


def bench_lists(username: str) -> None:
    viewer = user(username)
    scope = scope_for(viewer)
    where, params = visible_sql(scope)
    print(f"\n[{username}] scope {scope.kind}, {len(scope.unit_ids)} units")
    section(username)

    # The scope is worked out once per request (the pages pass it in), on both sides.
    orm, page = timed(lambda: selectors.case_list(viewer=viewer, limit=50, scope=scope), 20)
    sql, rows = timed(
        lambda: page_sql(where, params, 50),
        20,
    )
    same = [c.pk for c in page.items] == [r[0] for r in rows[:50]]
    row("case list, first page (50)", orm, sql, f"same rows: {same}")
    cursor = page.next_cursor
    if cursor:
        orm, _p = timed(
            lambda: selectors.case_list(viewer=viewer, limit=50, cursor=cursor, scope=scope), 20
        )
        row("case list, next page (keyset cursor)", orm)

    # A queue holds the work of the units the viewer works at (`home_unit_ids`), not of every
    # unit its scope reaches: a village station's case waits for the agent, not the township.
    units = sorted(scope.home_unit_ids) or [0]
    marks = ", ".join(["%s"] * len(units))
    orm, page = timed(
        lambda: selectors.case_list(viewer=viewer, queue="to_accept", limit=20, scope=scope), 20
    )
    sql, rows = timed(
        lambda: page_sql(
            f"{where} AND c.state = %s AND c.current_unit_id IN ({marks}) "
            "AND c.current_unit_id IN (c.accepting_unit_id, c.deciding_unit_id)",
            [*params, State.SUBMITTED, *units],
            20,
        ),
        20,
    )
    row(
        "queue to_accept, first page (20)",
        orm,
        sql,
        f"same rows: {[c.pk for c in page.items] == [r[0] for r in rows[:20]]}",
    )

    today = timezone.localdate()
    running = ["accepted", "joint_review", "reviewed", "decided", "referred"]
    delivery = ["concluded", "returning", "to_deliver"]
    unfinished = sorted(selectors.QUEUE_STATES)
    unfinished_marks = ", ".join(["%s"] * len(unfinished))
    orm, page = timed(
        lambda: selectors.case_list(viewer=viewer, queue="overdue", limit=20, scope=scope), 20
    )
    sql, rows = timed(
        # The unfinished states next to the OR: without them PostgreSQL walks the whole
        # history (~120 ms); SQLite runs the same either way.
        # The running deadline (`deadlines.clock`): delivery once concluded, the deciding
        # unit's promised date once its clock started, else a proxied case's proxy date.
        lambda: page_sql(
            f"{where} AND c.state IN ({unfinished_marks}) AND ((c.state IN (%s, %s, %s, %s, %s) "
            "AND c.clock_started_on IS NOT NULL AND c.promised_due < %s) "
            "OR (c.state IN (%s, %s, %s) AND c.delivery_due < %s) "
            "OR (c.clock_started_on IS NULL AND c.concluded_on IS NULL AND c.state NOT IN "
            "('awaiting_materials', 'suspended') AND c.proxy_due < %s))",
            [*params, *unfinished, *running, today, *delivery, today, today],
            20,
        ),
        20,
    )
    # The queue holds the cases whose worst running clock is red (`supervision.clocks`); the SQL
    # leaves suspended cases out, but a case suspended after its promised date stays overdue
    # (its clock stops, red). At 200,000 cases that is the whole difference: 1 of the
    # department's 55 overdue cases and 5 of the supervisor's 516, all suspended.
    row(
        "queue overdue, first page (20)",
        orm,
        sql,
        f"same rows (SQL without suspended cases): "
        f"{[c.pk for c in page.items] == [r[0] for r in rows[:20]]}",
    )

    # The work queues read the viewer's unfinished cases once and sort them into the queues.
    state_marks = unfinished_marks
    orm, scanned = timed(
        lambda: list(
            selectors.cases_visible(viewer=viewer, scope=scope)
            .filter(state__in=selectors.QUEUE_STATES)
            .order_by()
            .values_list(*selectors.QUEUE_COLUMNS)
        ),
        10,
    )
    sql, rows = timed(
        lambda: raw(
            "SELECT c.id, c.state, c.channel, c.case_class, c.current_unit_id, "
            "c.intake_unit_id, c.accepting_unit_id, c.deciding_unit_id, c.submitted_on, "
            "c.accepted_on, c.clock_started_on, c.concluded_on, c.closed_on, c.promised_due, "
            "c.proxy_due, c.delivery_due, c.extended_days, c.deadlines_provisional, "
            "c.created_at, v.promised_limit FROM cases_case c "
            "LEFT JOIN catalog_itemversion v ON v.id = c.item_version_id "
            f"WHERE c.case_class != 'errand' AND {where} AND c.state IN ({state_marks})",
            [*params, *unfinished],
        ),
        10,
    )
    row(
        f"work queues: scan of {len(scanned):,} unfinished cases",
        orm,
        sql,
        f"same rows: {sorted(r[0] for r in scanned) == sorted(r[0] for r in rows)}",
    )
    # What work_queues reads instead: the same rows through index searches (an OR of
    # (column, state) arms, the units' hops intersected with the unfinished cases).
    indexed, found = timed(
        lambda: list(
            selectors.open_cases_visible(
                viewer=viewer, states=selectors.QUEUE_STATES, scope=scope
            ).values_list(*selectors.QUEUE_COLUMNS)
        ),
        10,
    )
    row(
        "work queues: indexed read (open_cases_visible)",
        indexed,
        note=f"scan {orm:.1f} ms; same rows: {sorted(found) == sorted(scanned)}",
    )
    orm, _q = timed(lambda: selectors.work_queues(viewer=viewer, scope=scope), 10)
    n = queries(lambda: selectors.work_queues(viewer=viewer, scope=scope))
    row("work_queues: 9 queues, counts + first 20", orm, note=f"{n} queries")


def bench_pages(username: str) -> None:
    viewer = user(username)
    client = Client()
    client.force_login(viewer)
    print(f"\n[{username}] pages through the Django test client (no network)")
    section(f"{username} page")
    ms, r = timed(lambda: client.get("/cases/queues/"), 20)
    row(f"GET /cases/queues/ ({r.status_code})", ms)
    ms, r = timed(lambda: client.get("/cases/"), 20)
    row(f"GET /cases/ first page ({r.status_code})", ms)
    numbers = list(
        selectors.cases_visible(viewer=viewer)
        .filter(state=State.CLOSED)
        .order_by("-created_at")
        .values_list("number", flat=True)[:20]
    )
    if not numbers:
        return
    it = itertools.cycle(numbers)
    ms, r = timed(lambda: client.get(f"/cases/{next(it)}/"), 20)
    row(f"GET /cases/<number>/ closed case ({r.status_code})", ms)
    ms, r = timed(lambda: selectors.case_get(viewer=viewer, number=numbers[0], log=False), 20)
    orm_tl, _t = timed(lambda: selectors.case_timeline(viewer=viewer, number=numbers[0]), 20)
    row("case_get + case_timeline (selectors)", ms + orm_tl)


def bench_sweep(today: dt.date) -> None:
    from bench_reports import children_note, open_cases_sql, same_open_cases

    from bianmin.supervision.services.sweep import supervision_sweep
    from bianmin.supervision.services.sweep_hits import open_case_rows

    print("\n[supervision] sweep over every open case")
    section("")
    # The sweep's own reader against hand-written SQL returning the same cases and clock rows
    # (bench_reports.open_cases_sql: the unfinished states, every pause, the unfinished steps,
    # the deferred materials with a due day), related values joined in.
    n = queries(open_case_rows)
    orm, cases = timed(open_case_rows, 3)
    sql, (case_rows, child_rows) = timed(open_cases_sql, 3)
    same = same_open_cases(cases, case_rows, child_rows)
    row(
        f"load the {len(cases):,} open cases with their clock rows",
        orm,
        sql,
        f"same: {same}; {n} queries (SQL: 4); {children_note(child_rows)}",
    )
    t = time.perf_counter()
    result = supervision_sweep(today=today)
    first = (time.perf_counter() - t) * 1000
    row("supervision_sweep, first run (records alerts)", first, note=result.summary())
    t = time.perf_counter()
    result = supervision_sweep(today=today)
    again = (time.perf_counter() - t) * 1000
    row("supervision_sweep, again (idempotent)", again, note=f"checked {result.checked:,}")


def bench_dashboard(today: dt.date) -> None:
    from bianmin.orgs.models import Region
    from bianmin.supervision.selectors import dashboard

    viewer = user("supervisor")
    print("\n[supervision] dashboard")
    township = Region.objects.filter(level="township").order_by("code").first()
    ms, d = timed(lambda: dashboard(viewer=viewer, region_code=township.code, today=today), 3)
    n = queries(lambda: dashboard(viewer=viewer, region_code=township.code, today=today))
    row(f"dashboard of township {township.code}", ms, note=f"{n} queries")
    t = time.perf_counter()
    dashboard(viewer=viewer, today=today)
    row("dashboard of the county (one run)", (time.perf_counter() - t) * 1000)


def main() -> None:
    dataset()
    print(f"bench_queries: {describe()}")
    today = timezone.localdate()
    for who in ("t01-staff", "v0101-agent", "d01-staff", "supervisor"):
        bench_lists(who)
    bench_pages("t01-staff")
    bench_pages("v0101-agent")
    bench_sweep(today)
    bench_dashboard(today)


if __name__ == "__main__":
    main()
