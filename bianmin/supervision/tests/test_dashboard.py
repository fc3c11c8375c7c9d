"""Dashboard figures against counts computed here from the raw case rows; scope of pages and API."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.utils import timezone

from bianmin.cases.models import FINAL_STATES, Case, State
from bianmin.cases.services import case_register, case_transition
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.supervision.selectors import alert_list, dashboard
from bianmin.supervision.services import supervision_sweep

from .conftest import PERSON, accepted_case, provided, proxy_case

D = dt.date
TODAY = D(2025, 10, 13)
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county, items, clock):
    c, w = county, {}
    w["A"] = accepted_case(c, items.five, on=D(2025, 9, 26), clock=clock)  # red: due 10-10
    ids = {m.name: m.pk for m in items.deferrable.materials.all()}
    w["B"] = proxy_case(  # red: deferred material due 09-30
        c,
        items.deferrable,
        on=D(2025, 9, 26),
        clock=clock,
        materials={
            ids["居民身份证"]: "provided",
            ids["户口簿"]: {"status": "deferred", "due_days": 3, "commitment": "补交"},
        },
    )
    t2 = c.t2_staff.user
    w["C"] = accepted_case(c, items.ten, on=D(2025, 10, 9), clock=clock, unit=c.tc2, actor=t2)
    w["F"] = accepted_case(c, items.ten, on=D(2025, 9, 24), clock=clock, unit=c.tc2, actor=t2)
    clock.set(D(2025, 9, 26))
    d = case_register(
        actor=c.t1_staff.user,
        item_version=items.five,
        channel="window",
        materials={},
        **PERSON,
    )
    w["D"] = case_transition(case=d, action="decline", actor=c.t1_staff.user, reasons="不符合条件")
    w["E"] = case_register(  # at the village station, never forwarded
        actor=c.a12.user,
        item_version=items.five,
        channel="proxy",
        materials=provided(items.five),
        entrustment_signed=True,
        **PERSON,
    )
    w["G"] = case_register(  # at the township, materials missing, neither accepted nor noticed
        actor=c.t1_staff.user,
        item_version=items.ten,
        channel="window",
        materials={},
        **PERSON,
    )
    with pytest.raises(ValidationFailed):
        case_transition(case=w["G"], action="decline", actor=c.t1_staff.user, reasons="")
    clock.set(TODAY)
    return w


def test_county_figures_equal_raw_counts(county, world):
    d = dashboard(viewer=county.supervisor.user, today=TODAY)
    raw = list(Case.objects.all())
    assert d["totals"]["total"] == len(raw) == 7
    assert d["totals"]["by_state"] == dict(Counter(c.state for c in raw))
    finals = {State.DECLINED}
    assert d["totals"]["open"] == sum(c.state not in finals for c in raw) == 6
    # Colours by construction: A and B red, E red too (its station has held the township item
    # 7 working days: a relay hop's limit is 1), F yellow (1 working day left), C, G green.
    assert (d["totals"]["red"], d["totals"]["yellow"], d["totals"]["green"]) == (3, 1, 2)
    children = {r["code"]: r for r in d["children"]}
    for region in (county.t1, county.t2):
        mine = [c for c in raw if Case.objects.get(pk=c.pk).region.code.startswith(region.prefix)]
        assert children[region.code]["total"] == len(mine)
        assert children[region.code]["by_state"] == dict(Counter(c.state for c in mine))
    assert (children[county.t1.code]["red"], children[county.t2.code]["yellow"]) == (3, 1)
    units = {u["id"]: u for u in d["units"]}
    by_unit = Counter(c.current_unit_id for c in raw)
    assert {k: v["total"] for k, v in units.items()} == dict(by_unit)
    assert {r["number"] for r in d["overdue"]} == {
        n.number for n in (world["A"], world["B"], world["E"])
    }
    a = next(r for r in d["overdue"] if r["number"] == world["A"].number)
    # Its review step (due 09-29) is 5 working days over, the case itself (due 10-10) 2.
    assert (a["unit"], a["held_since"], a["held_days"], a["over_days"]) == (
        county.tc1.name,
        D(2025, 9, 26),
        7,
        5,
    )
    tiers = {t["tier"]: t for t in d["tiers"]}
    # B left the village the day it came in; E sat 7 working days at its station.
    assert (tiers["village"]["cases"], tiers["village"]["workdays"]) == (2, 7)
    # A 7, B 7, D 0 (declined at once), G 7, C 3 (10-09..10-13), F 9 (09-24..10-13).
    assert (tiers["township"]["cases"], tiers["township"]["workdays"]) == (6, 33)
    assert [r["number"] for r in d["late_materials"]] == [world["B"].number]
    assert [r["number"] for r in d["no_reasons"]] == [world["G"].number]
    assert [r["number"] for r in d["unaccepted"]] == [world["G"].number]
    fees = {
        c.number for c in raw if c.fee_total != sum(f.amount for f in c.item_version.fees.all())
    }
    assert {r["number"] for r in d["fees_off"]} == fees


def test_drill_down_to_village_lists_cases(county, world):
    d = dashboard(viewer=county.supervisor.user, region_code=county.v11.code, today=TODAY)
    assert [r["number"] for r in d["cases"]] == [world["B"].number]
    assert d["cases"][0]["colour"] == "red"
    assert d["parent"]["code"] == county.t1.code


def test_scope_of_dashboard(county, world):
    t = dashboard(viewer=county.t1_staff.user, today=TODAY)
    assert t["region"]["code"] == county.t1.code
    assert t["totals"]["total"] == 5
    for viewer, code in (
        (county.t1_staff.user, county.county.code),
        (county.t1_staff.user, county.t2.code),
        (county.a11.user, county.v12.code),
        (county.a11.user, county.t1.code),
    ):
        with pytest.raises(PermissionDenied):
            dashboard(viewer=viewer, region_code=code, today=TODAY)
    own = dashboard(viewer=county.a11.user, today=TODAY)
    assert own["totals"]["total"] == 1


def test_alerts_are_scoped(county, world):
    supervision_sweep(today=TODAY)
    numbers = {a.case.number for a in alert_list(viewer=county.a11.user) if a.case_id}
    assert numbers == {world["B"].number}
    everything = {a.case.number for a in alert_list(viewer=county.supervisor.user) if a.case_id}
    # E: a relay hop (its station) over its holding limit.
    assert everything == {world[k].number for k in ("A", "B", "E", "F")}
    with pytest.raises(PermissionDenied):
        alert_list(viewer=county.a11.user, region=county.v12.code)


def test_api_alerts_and_dashboard(client, county, world, token_for):
    supervision_sweep(today=TODAY)
    sup = token_for("supervisor")
    r = client.get("/api/v1/supervision/alerts?level=red", **sup)
    assert r.status_code == 200
    body = r.json()
    assert body and {a["level"] for a in body} == {"red"}
    assert {a["case_number"] for a in body} == {world[k].number for k in ("A", "B", "E")}
    r = client.get(f"/api/v1/supervision/dashboard?region={county.t1.code}&date=2025-10-13", **sup)
    assert r.status_code == 200 and r.json()["totals"]["red"] == 3
    agent = token_for("v0101-agent")
    assert (
        client.get(f"/api/v1/supervision/dashboard?region={county.v12.code}", **agent).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/supervision/alerts?region={county.v12.code}", **agent).status_code
        == 403
    )
    r = client.get("/api/v1/supervision/alerts", **agent)
    assert {a["case_number"] for a in r.json()} == {world["B"].number}
    assert client.get("/api/v1/supervision/alerts").status_code == 401
    assert client.get("/api/v1/supervision/alerts?level=blue", **sup).status_code == 422


def test_pages(client, county, world):
    supervision_sweep(today=TODAY)
    client.force_login(county.supervisor.user)
    r = client.get(f"/supervision/?region={county.t1.code}&date=2025-10-13")
    assert r.status_code == 200
    html = r.content.decode()
    assert world["A"].number in html and "<svg" in html
    assert client.get("/supervision/alerts/?level=red").status_code == 200
    assert client.get("/supervision/queue/").status_code == 200
    assert client.get("/supervision/notifications/").status_code == 200
    client.force_login(county.a11.user)
    assert client.get(f"/supervision/?region={county.v12.code}").status_code == 403
    assert client.get("/supervision/").status_code == 200


def test_the_page_in_english_joins_its_figures_with_english_punctuation(client, county, world):
    # The marks between the figures are the page's own words: an English reader met "82：On
    # track" and "Awaiting acceptance 8，Being forwarded 3" (the names of cases, items and units
    # stay as they are written).
    client.force_login(county.supervisor.user)
    html = client.get("/supervision/?date=2025-10-13", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert '</a>: <span class="green">' in html and "</a>：<span" not in html
    states = html[
        html.index("<dd>", html.index("By status")) : html.index("</dd>", html.index("By status"))
    ]
    assert "</a>, " in states and "，" not in states
    assert ' (<a data-count="3" href=' in html and "（<a data-count" not in html
    # The overdue rows name their clocks after the days over, in brackets.
    assert re.search(r'<td class="red">\d+ \(', html)
    assert not re.search(r'<td class="red">\d+（', html)
    # Chinese keeps its own marks.
    chinese = client.get("/supervision/?date=2025-10-13", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "</a>：<span" in chinese.content.decode()


def test_the_page_lists_the_most_overdue_and_links_to_all(client, county, world, monkeypatch):
    from bianmin.supervision import views

    client.force_login(county.supervisor.user)
    url = "/supervision/?date=2025-10-13"
    overdue = dashboard(viewer=county.supervisor.user, today=D(2025, 10, 13))["overdue"]
    assert len(overdue) >= 2
    monkeypatch.setattr(views, "OVERDUE_SHOWN", 1)
    html = client.get(url).content.decode()
    section = html[html.index('id="overdue"') : html.index("各层级持有时间")]
    # The most overdue one only, and the way to every one of them.
    assert overdue[0]["number"] in section and overdue[1]["number"] not in section
    assert f"全部 {len(overdue)} 件见" in section and "colour=red" in section
    monkeypatch.setattr(views, "OVERDUE_SHOWN", 100)
    section = client.get(url).content.decode()
    assert overdue[1]["number"] in section and 'id="overdue-more"' not in section


@pytest.fixture
def history(county, items, clock, world):
    """World plus finished cases: one delivered (closed), one proxy case decided and delivered,
    one withdrawn, one declined after a notice."""
    from bianmin.cases.tests.conftest import signature_png

    c = county
    t1 = c.t1_staff.user
    h = accepted_case(c, items.five, on=D(2025, 9, 1), clock=clock)
    clock.set(D(2025, 9, 3))
    for action, kw in (("review", {}), ("decide", {"approved": True}), ("conclude", {})):
        h = case_transition(case=h, action=action, actor=t1, **kw)
    clock.set(D(2025, 9, 10))
    h = case_transition(
        case=h, action="deliver", actor=t1, signature=signature_png(), signed_by_name="张三"
    )
    p = proxy_case(c, items.ten, on=D(2025, 8, 20), clock=clock)
    clock.set(D(2025, 9, 2))
    for action, kw in (("review", {}), ("decide", {"approved": False, "reasons": "不符合"})):
        p = case_transition(case=p, action=action, actor=t1, **kw)
    p = case_transition(case=p, action="conclude", actor=t1)
    clock.set(D(2025, 9, 5))
    w = case_register(actor=t1, item_version=items.five, channel="window", materials={}, **PERSON)
    w = case_transition(case=w, action="withdraw", actor=t1, reason="申请人撤回")
    clock.set(TODAY)
    return [h, p, w]


def test_aggregated_dashboard_equals_loading_every_case(county, world, history):
    """The dashboard counts closed cases in SQL and loads only the unfinished ones; every figure
    equals the one counted here case by case, for every viewer and region."""
    finals = [c.state for c in Case.objects.filter(pk__in=[x.pk for x in history])]
    assert "closed" in finals and "withdrawn" in finals
    views = [
        (county.supervisor.user, None),
        (county.supervisor.user, county.t1.code),
        (county.supervisor.user, county.v11.code),
        (county.supervisor.user, county.v12.code),
        (county.t1_staff.user, None),
        (county.t2_staff.user, None),
        (county.a11.user, None),
        (county.civil.user, None),
    ]
    known = {
        "repeated_notices": [],
        "late_materials": [world["B"]],
        "no_reasons": [world["G"]],
        "unaccepted": [world["G"]],
    }
    for viewer, code in views:
        board = dashboard(viewer=viewer, region_code=code, today=TODAY)
        assert_dashboard_adds_up(board, viewer=viewer, today=TODAY, known=known)
    county_view = dashboard(viewer=county.supervisor.user, today=TODAY)
    assert county_view["totals"]["total"] == Case.objects.count() == 10
    assert county_view["totals"]["open"] < county_view["totals"]["total"]
    assert sum(t["cases"] for t in county_view["tiers"]) > 7


def test_dashboard_query_count_does_not_grow_with_closed_cases(county, history, items, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            dashboard(viewer=county.supervisor.user, today=TODAY)
        return len(ctx)

    # The first board stores the closed months' figures, and a board after a change to a closed
    # month stores that month again (`settled`): what must not grow is a board's own reading.
    dashboard(viewer=county.supervisor.user, today=TODAY)
    before = count()
    t1 = county.t1_staff.user
    for day in (D(2025, 8, 4), D(2025, 8, 5), D(2025, 8, 6)):
        x = accepted_case(county, items.five, on=day, clock=clock)
        for action, kw in (("review", {}), ("decide", {"approved": True}), ("conclude", {})):
            x = case_transition(case=x, action=action, actor=t1, **kw)
    clock.set(TODAY)
    dashboard(viewer=county.supervisor.user, today=TODAY)
    assert count() == before


def test_dashboard_query_count_does_not_grow_with_unfinished_cases(county, history, items, clock):
    """The unfinished cases are read with a fixed set of queries whatever their kind: a field the
    clocks or the lists read and the selector does not fetch would cost a query per case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            dashboard(viewer=county.supervisor.user, today=TODAY)
        return len(ctx)

    t1 = county.t1_staff.user
    ids = {m.name: m.pk for m in items.deferrable.materials.all()}

    def add_unfinished(day: dt.date) -> None:
        """One unfinished case of each kind: accepted, proxy with a deferred material, locked
        by a handler, decided, submitted without materials."""
        accepted_case(county, items.five, on=day, clock=clock)
        proxy_case(
            county,
            items.deferrable,
            on=day,
            clock=clock,
            materials={
                ids["居民身份证"]: "provided",
                ids["户口簿"]: {"status": "deferred", "due_days": 2, "commitment": "补交"},
            },
        )
        locked = accepted_case(county, items.ten, on=day, clock=clock)
        case_transition(case=locked, action="assign", actor=t1)
        decided = accepted_case(county, items.five, on=day, clock=clock)
        for action, kw in (("review", {}), ("decide", {"approved": True})):
            decided = case_transition(case=decided, action=action, actor=t1, **kw)
        case_register(actor=t1, item_version=items.ten, channel="window", materials={}, **PERSON)
        clock.set(TODAY)

    add_unfinished(D(2025, 9, 22))
    dashboard(viewer=county.supervisor.user, today=TODAY)  # stores the closed months
    # Each count computes the kept rows of the cases added since (`live_cases`), one batch.
    add_unfinished(D(2025, 9, 24))
    before = count()
    add_unfinished(D(2025, 9, 29))
    assert count() == before
    board = dashboard(viewer=county.supervisor.user, today=TODAY)
    assert_dashboard_adds_up(board, viewer=county.supervisor.user, today=TODAY)
    assert any(r["holder"] for r in board["overdue"])
    assert any("容缺材料" in label for r in board["overdue"] for label in r["clocks"])


def test_tier_figures_cover_unfinished_and_recently_finished_cases(client, county, history):
    """The tier figures count unfinished cases and cases finished this month and the twelve
    before it (issue 8: the dashboard is about current work; whole months since issue 17);
    totals still count every case."""
    from bianmin.cases.models import FINAL_STATES, Custody
    from bianmin.supervision.selectors.tiers import tier_of

    sup = county.supervisor.user
    now = dashboard(viewer=sup, today=TODAY)
    later_day = D(2026, 10, 15)
    later = dashboard(viewer=sup, today=later_day)
    assert_dashboard_adds_up(later, viewer=sup, today=later_day)
    assert later["tier_period"] == {"since": D(2025, 10, 1), "until": later_day}
    assert later["totals"]["total"] == now["totals"]["total"] == 10
    # The delivered case (closed 09-10) and the withdrawn one (09-05) fall out of the period.
    old = [
        x
        for x in Case.objects.filter(state__in=FINAL_STATES)
        if (x.closed_on or x.concluded_on) < D(2025, 10, 1)
    ]
    assert {x.pk for x in old} >= {history[0].pk, history[2].pk}
    hops = Custody.objects.filter(case__in=old).select_related("to_unit__parent")
    for tier in ("village", "township", "county"):
        gone = {h.case_id for h in hops if tier_of(h.to_unit) == tier}
        before = next(t for t in now["tiers"] if t["tier"] == tier)
        after = next(t for t in later["tiers"] if t["tier"] == tier)
        assert before["cases"] - after["cases"] == len(gone)
    assert sum(t["cases"] for t in now["tiers"]) > sum(t["cases"] for t in later["tiers"])
    client.force_login(sup)
    html = client.get("/supervision/?date=2026-10-15").content.decode()
    assert "2025-10-01" in html and "统计范围" in html


# --- the dashboard recomputed from the cases themselves ------------------------------------------
def _counts(cases: list[Case], colour: dict[int, str]) -> dict:
    """A row's figures counted case by case: `colour` holds the unfinished cases' worst colour."""
    colours = Counter(colour[c.pk] for c in cases if c.pk in colour)
    return {
        "total": len(cases),
        "open": sum(colours.values()),
        "green": colours["green"],
        "yellow": colours["yellow"],
        "red": colours["red"],
        "by_state": dict(Counter(c.state for c in cases)),
    }


def _tier_days(cases: list[Case], today: dt.date, since: dt.date) -> dict[str, tuple[int, int]]:
    """{tier: (cases, working days)} walking each case's hops: a hop lasts from the day it was
    sent to the day of the next hop, or to closure (else conclusion) for a finished case."""
    from bianmin.workdays.calendar import workdays_between

    seen: dict[str, set] = {"village": set(), "township": set(), "county": set()}
    days: Counter = Counter()
    for c in cases:
        end = c.closed_on or c.concluded_on if c.state in FINAL_STATES else None
        if c.state in FINAL_STATES and end is not None and end < since:
            continue
        hops = list(c.custodies.order_by("sent_at", "pk").select_related("to_unit__parent"))
        for hop, after in zip(hops, [*hops[1:], None], strict=True):
            start = timezone.localdate(hop.sent_at)
            stop = timezone.localdate(after.sent_at) if after else (end or today)
            seen[hop.to_unit.tier].add(c.pk)
            days[hop.to_unit.tier] += max(0, workdays_between(start, stop).workdays)
    return {t: (len(pks), days[t]) for t, pks in seen.items()}


def assert_dashboard_adds_up(board: dict, *, viewer, today: dt.date, known: dict | None = None):
    """Every panel of `board` against figures counted here from the cases `viewer` sees in the
    board's region, one by one; `known` names the irregular cases the test made."""
    from bianmin.cases.selectors import cases_visible
    from bianmin.orgs.models import Region
    from bianmin.orgs.scope import scope_for
    from bianmin.supervision import clocks

    region = Region.objects.get(code=board["region"]["code"])
    cases = list(
        cases_visible(viewer=viewer)
        .filter(region__code__startswith=region.prefix)
        .select_related("region", "current_unit", "item_version")
        .order_by("pk")
    )
    running = {
        c.pk: clocks.case_clocks(c, today=today) for c in cases if c.state not in FINAL_STATES
    }
    colour = {pk: clocks.worst(st) for pk, st in running.items()}
    assert board["totals"] == _counts(cases, colour)
    scope = scope_for(viewer)
    kids = [k for k in region.children.order_by("code") if scope.can_see_region(k.code)]
    rows = {r["code"]: r for r in board["children"]}
    for k in kids:
        mine = [c for c in cases if c.region.code.startswith(k.prefix)]
        assert {f: rows[k.code][f] for f in _counts([], {})} == _counts(mine, colour), k.code
    if kids:
        own = [c for c in cases if not any(c.region.code.startswith(k.prefix) for k in kids)]
        assert rows[region.code]["own"] and rows[region.code]["total"] == len(own)
    assert len(board["children"]) == len(kids) + bool(kids)
    by_unit = {u["id"]: u for u in board["units"]}
    assert set(by_unit) == {c.current_unit_id for c in cases}
    for uid, row in by_unit.items():
        mine = [c for c in cases if c.current_unit_id == uid]
        assert {f: row[f] for f in _counts([], {})} == _counts(mine, colour), uid
    red = {
        c.number: max(s.over for s in running[c.pk] if s.colour == "red")
        for c in cases
        if colour.get(c.pk) == "red"
    }
    assert {r["number"]: r["over_days"] for r in board["overdue"]} == red
    since = board["tier_period"]["since"]
    tiers = {t["tier"]: (t["cases"], t["workdays"]) for t in board["tiers"]}
    assert tiers == _tier_days(cases, today, since)
    fees = [c for c in cases if c.fee_total != sum(f.amount for f in c.item_version.fees.all())]
    assert [r["number"] for r in board["fees_off"]] == [c.number for c in fees]
    if region.level == "village":
        assert [(r["number"], r["colour"]) for r in board["cases"]] == [
            (c.number, colour.get(c.pk)) for c in cases
        ]
    for panel, made in (known or {}).items():
        seen = {c.pk for c in cases}
        assert [r["number"] for r in board[panel]] == [c.number for c in made if c.pk in seen]


def test_repeated_notices_name_the_cases_noticed_twice_and_the_refused_second_notices(
    county, world
):
    """A case with two one-time notices and a case whose second notice was refused (a flag)
    are listed with their counts; a case noticed once is not."""
    from bianmin.cases.models import OneTimeNotice
    from bianmin.cases.services import flag_raise

    twice, refused, once = world["A"], world["C"], world["F"]

    def notice(case, n: int) -> None:
        OneTimeNotice.objects.create(
            case=case,
            number=f"GZ-{case.pk}-{n}",
            issued_on=TODAY,
            issued_by=county.t1_staff.user,
            unit=case.current_unit,
            item_version=case.item_version,
        )

    counts = {c.pk: OneTimeNotice.objects.filter(case=c).count() for c in (twice, refused, once)}
    assert counts == {twice.pk: 0, refused.pk: 0, once.pk: 0}
    notice(twice, 1)
    notice(twice, 2)
    notice(refused, 1)
    notice(once, 1)
    flag_raise(case=refused, kind="repeated_notice", detail="第二次告知要求新材料")
    board = dashboard(viewer=county.supervisor.user, today=TODAY)
    rows = {r["number"]: (r["notices"], r["refused_attempts"]) for r in board["repeated_notices"]}
    assert rows == {twice.number: (2, 0), refused.number: (1, 1)}
