"""Reads for the public pages.

What these return is public by law (公开公示: the catalog, where to go, who the staff and agents
are, office hours, fees, masked results and statistics), so like `bianmin.catalog.selectors` they
take no viewer and apply no access scope; nothing personal leaves them unmasked. Staff-side reads
(pre-review queue, questions to answer, home visits) take the viewer and apply `scope_for`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import FINAL_STATES, Case, State
from bianmin.catalog import selectors as catalog
from bianmin.catalog.models import ItemVersion, LifeEvent, Tier
from bianmin.common.errors import NotFound
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind
from bianmin.orgs.scope import scope_for
from bianmin.reports.figures import cases_of_unit, count_conditions, month_bounds

from .models import Application, HomeVisitRequest, Question

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# -- units (public) -------------------------------------------------------------------------


def public_units(*, kind: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(is_active=True).select_related("region", "parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "kind", "name")


def public_unit_get(*, code: str) -> Unit:
    unit = public_units().filter(code=code).first()
    if unit is None:
        raise NotFound("unit")
    return unit


def county_centre() -> Unit | None:
    return public_units(kind=UnitKind.COUNTY_CENTRE).first()


def township_centre_for_region(region: Region) -> Unit | None:
    township = region if region.level == "township" else region.parent
    return public_units(kind=UnitKind.TOWNSHIP_CENTRE).filter(region=township).first()


def station_for_region(region: Region) -> Unit | None:
    return public_units(kind=UnitKind.VILLAGE_STATION).filter(region=region).first()


def agents_of(unit: Unit) -> list[Staff]:
    """Active agents of a station (a JSON role list is filtered in Python: portable, tiny)."""
    staff = Staff.objects.filter(unit=unit, user__is_active=True).order_by("full_name")
    return [s for s in staff if RoleCode.AGENT in s.roles]


def villages() -> QuerySet[Region]:
    return Region.objects.filter(level="village").select_related("parent").order_by("code")


# -- guides ---------------------------------------------------------------------------------


def guide_list(**filters) -> QuerySet[ItemVersion]:
    """Published items by tier, department (unit code), life event and keyword words."""
    return catalog.item_list_published(**{k: v for k, v in filters.items() if v not in ("", None)})


def guide_get(*, code: str) -> ItemVersion:
    return catalog.item_get_published(code)


def life_events() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in LifeEvent.choices]


def departments() -> QuerySet[Unit]:
    return public_units(kind=UnitKind.DEPARTMENT)


@dataclass
class WhereToGo:
    """Where a person can hand an item in: village stations (proxy), township centres, county."""

    stations_by_township: list[tuple[Unit, list[Unit]]]
    townships: list[Unit]
    county: list[Unit]


def where_to_go(version: ItemVersion) -> WhereToGo:
    """Every place that takes the item, by the catalog's accepting tier and proxy flag.

    A village-proxyable item can be handed to any station's agent, who carries it up; an item the
    township accepts is taken at every township centre; a county item at the county centre's
    windows and the implementing department (issue 5 "where to go").
    """
    townships = list(public_units(kind=UnitKind.TOWNSHIP_CENTRE))
    stations = list(public_units(kind=UnitKind.VILLAGE_STATION))
    if version.accept_tier == Tier.VILLAGE and version.implementing_unit.kind == (
        UnitKind.VILLAGE_STATION
    ):
        # A village's own item (a residence certificate) is handled by that village only.
        stations = [u for u in stations if u.pk == version.implementing_unit_id]
    by_township = []
    if version.village_proxy or version.accept_tier == Tier.VILLAGE:
        for t in townships:
            mine = [s for s in stations if s.parent_id == t.pk]
            if mine:
                by_township.append((t, mine))
    county = []
    if version.accept_tier == Tier.COUNTY or version.decide_tier == Tier.COUNTY:
        centre = county_centre()
        county = [u for u in (centre, version.implementing_unit) if u is not None]
        if centre is not None:
            county[1:1] = list(public_units(kind=UnitKind.WINDOW).filter(parent=centre))
    return WhereToGo(
        stations_by_township=by_township,
        townships=townships if version.accept_tier == Tier.TOWNSHIP else [],
        county=list(dict.fromkeys(county)),
    )


def answered_questions(*, item_id: int) -> QuerySet[Question]:
    return Question.objects.filter(item_id=item_id, public_allowed=True).exclude(answer="")


# -- disclosure ----------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; enterprise names keep their first four characters."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) > 5:
        return name[:4] + "*" * 3
    return name[0] + "*" * (len(name) - 1)


def mask_number(number: str) -> str:
    """Keep the readable prefix, hide the random tail: the number must not let anyone look it up."""
    parts = number.split("-")
    if len(parts) >= 4:
        parts[3] = parts[3][:2] + "******"
    return "-".join(parts)


def unit_items_filter(unit: Unit) -> dict[str, str]:
    """The guide list's filter that lists the items a unit handles (`unit_items`): a
    department's own items, else what its tier takes in."""
    if unit.kind == UnitKind.DEPARTMENT:
        return {"department": unit.code}
    return {"tier": unit.tier}


def unit_items(unit: Unit) -> QuerySet[ItemVersion]:
    """Items a unit handles: its own as implementing unit, plus what its tier takes in."""
    where = unit_items_filter(unit)
    return catalog.item_list_published(tier=where.get("tier"), department=where.get("department"))


def unit_cases(unit: Unit) -> QuerySet[Case]:
    """The cases a unit's public figures and results cover: the reports' definition
    (`reports.figures.unit_cases_q`): a hall with its windows and its area (the county centre
    the whole county, a township centre its township, a station its village), a department
    those it decides."""
    return cases_of_unit(unit)


def concluded_cases(unit: Unit, *, limit: int = 20) -> list[dict]:
    """Results published on the board, masked: no full number, name or phone."""
    rows = (
        unit_cases(unit)
        .filter(concluded_on__isnull=False)
        .select_related("item_version")
        .order_by("-concluded_on", "-pk")[:limit]
    )
    return [masked(c) for c in rows]


@dataclass
class MonthStats:
    month: dt.date
    received: int
    accepted: int
    concluded: int
    on_time: int
    open_now: int

    @property
    def on_time_rate(self) -> str:
        if not self.concluded:
            return "—"
        return f"{100 * self.on_time / self.concluded:.0f}%"


# The counts of a board's 本月统计, each with a public list of the cases it counts.
BOARD_FIGURES = {
    "received": _("本月收件"),
    "accepted": _("本月受理"),
    "concluded": _("本月办结"),
    "open_now": _("在办"),
}


def board_cases(unit: Unit, figure: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases one count of a board's 本月统计 counts (`BOARD_FIGURES`): the month's counts
    by the report definitions (`reports.figures.count_conditions`) over the unit's cases, and
    the cases still in hand now."""
    today = today or timezone.localdate()
    cases = unit_cases(unit)
    if figure == "open_now":
        return cases.exclude(state__in=FINAL_STATES).filter(concluded_on__isnull=True)
    if figure not in BOARD_FIGURES and figure != "on_time":
        raise NotFound("figure")
    return cases.filter(count_conditions(*month_bounds(today))[figure])


def month_stats(unit: Unit, *, today: dt.date | None = None) -> MonthStats:
    today = today or timezone.localdate()
    counts = {f: board_cases(unit, f, today=today).count() for f in (*BOARD_FIGURES, "on_time")}
    return MonthStats(month=today.replace(day=1), **counts)


def board_case_rows(unit: Unit, figure: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases of one board count, newest first, for the public list (masked by `masked`)."""
    return (
        board_cases(unit, figure, today=today)
        .select_related("item_version")
        .order_by("-submitted_on", "-pk")
    )


def masked(case: Case) -> dict:
    """What the public may see of a case on a board: no full number, name or phone."""
    return {
        "number": mask_number(case.number),
        "item": case.title,
        "applicant": mask_name(case.applicant_name),
        "submitted_on": case.submitted_on,
        "concluded_on": case.concluded_on,
        "state": case.get_state_display(),
        "result": _result(case) if case.concluded_on else "",
    }


def _result(case: Case) -> str:
    if case.state in (State.DECLINED, State.WITHDRAWN, State.TERMINATED, State.REVOKED):
        return case.get_state_display()
    return "准予" if case.approved else ("不予批准" if case.approved is False else "办结")


def delegation_lists() -> list[tuple[str, str, QuerySet[ItemVersion]]]:
    """The county board's delegation lists: items the village takes by proxy, the township
    accepts, the county accepts (委托/下放 lists by tier)."""
    return [
        ("village", str(Tier.VILLAGE.label), catalog.item_list_published(village_proxy=True)),
        ("township", str(Tier.TOWNSHIP.label), catalog.item_list_published(tier=Tier.TOWNSHIP)),
        ("county", str(Tier.COUNTY.label), catalog.item_list_published(tier=Tier.COUNTY)),
    ]


def duty_roster(unit: Unit):
    """The unit's published duty roster of this month (staffing app), or None when there is none
    or the staffing app is not installed."""
    try:
        from bianmin.staffing.selectors import roster_for_unit
    except ImportError:
        return None
    return roster_for_unit(unit=unit, month=timezone.localdate())


# -- service card ---------------------------------------------------------------------------


def top_items_for_village(region: Region, *, limit: int = 10) -> list[ItemVersion]:
    """The items most requested in a village (by case count there), topped up with the items its
    agent can take by proxy when the village has few cases yet."""
    counts = (
        Case.objects.filter(region__code__startswith=region.code)
        .values("item_version__item_id")
        .annotate(n=Count("id"))
        .order_by("-n", "item_version__item_id")
    )
    item_ids = [row["item_version__item_id"] for row in counts]
    published = {v.item_id: v for v in catalog.item_list_published(tier=Tier.VILLAGE)}
    published.update({v.item_id: v for v in catalog.item_list_published() if v.item_id in item_ids})
    ordered = [published[i] for i in item_ids if i in published]
    for version in published.values():
        if len(ordered) >= limit:
            break
        if version not in ordered:
            ordered.append(version)
    return ordered[:limit]


# -- staff side (scoped) --------------------------------------------------------------------


def applications_for_review(*, viewer) -> QuerySet[Application]:
    return (
        Application.objects.filter(scope_for(viewer).units_q("unit"))
        .select_related("item_version", "unit", "case")
        .order_by("status", "-created_at")
    )


def application_for_review(*, viewer, code: str) -> Application:
    from bianmin.common.errors import NotFound

    app = applications_for_review(viewer=viewer).filter(code=code).first()
    if app is None:
        raise NotFound("application")
    return app


def questions_for(*, viewer) -> QuerySet[Question]:
    return (
        Question.objects.filter(scope_for(viewer).units_q("unit"))
        .select_related("item", "unit")
        .order_by("answered_at", "-created_at")
    )


def home_visits_for(*, viewer) -> QuerySet[HomeVisitRequest]:
    return (
        HomeVisitRequest.objects.filter(scope_for(viewer).units_q("station"))
        .select_related("station", "item_version", "case")
        .order_by("status", "-created_at")
    )


# -- public case status ---------------------------------------------------------------------

# What each timeline action means to the applicant, in plain words.
PLAIN_ACTIONS = {
    "register": _("申请已登记"),
    "entrust": _("代办员已接受您的委托"),
    "forward": _("材料已报送上级单位"),
    "receive": _("经办单位已接收"),
    "notify_missing": _("需要补正材料，已出具一次性告知书"),
    "supplement": _("补正材料已收到"),
    "accept": _("申请已受理，开始计算办理时限"),
    "deem_accept": _("依法视为已受理"),
    "decline": _("不予受理（见理由）"),
    "review": _("审核中"),
    "opine": _("联办部门已提出意见"),
    "decide": _("已作出决定"),
    "conclude": _("已办结"),
    "hand_back": _("办理结果正送回收件单位"),
    "deliver": _("结果已送达，您已签收"),
    "suspend": _("依法中止（特别程序），期间不计时"),
    "resume": _("恢复办理"),
    "extend": _("经批准延长办理期限"),
    "withdraw": _("申请已撤回"),
    "pledge_false": _("承诺不实，办件已终止或撤销"),
    "site_check": _("工作人员已现场核查（计入办理时限）"),
    "upload": _("材料电子件已上传"),
}
# Internal bookkeeping the applicant does not need to see.
HIDDEN_ACTIONS = {"assign", "release", "recompute", "file_review", "ab_cover", "ab_return"}


def _next_step(case: Case) -> "StrOrPromise":
    unit = case.current_unit
    if case.state == State.AWAITING_MATERIALS:
        return _("请按一次性告知书补交所列材料（可在本页上传，或交给代办员/窗口）。")
    if case.state == State.SUBMITTED:
        return _("等待%(u)s受理，您无需操作。") % {"u": unit.name}
    if case.state in (State.CONCLUDED, State.RETURNING):
        return _("已办结，结果将送回%(u)s，请留意领取通知。") % {"u": case.intake_unit.name}
    if case.state == State.TO_DELIVER:
        return _("结果已到%(u)s，请前往领取或等待代办员送达。") % {"u": unit.name}
    if case.state == State.CLOSED:
        return _("已办结送达。欢迎对本次服务进行评价。")
    if case.state == State.DECLINED:
        return _("本申请不予受理，理由见下。如有疑问可拨打咨询或投诉电话。")
    if case.state == State.SUSPENDED:
        return _("依法中止期间不计时，恢复后会继续办理。")
    if case.state in FINAL_STATES:
        return _("办件已结束。")
    return _("正在%(u)s办理，您无需操作。") % {"u": unit.name}


def _clock_until(case: Case, due: dt.date) -> tuple[int, int, bool]:
    """(working days used since take-in, left until `due`, overdue) on today, standing still
    while a pause is open, paused days excluded: `cases.deadlines.clock` measured against the
    proxy deadline instead of the deciding unit's promised date."""
    from bianmin.cases.deadlines import closed_pauses
    from bianmin.workdays.calendar import workdays_between

    open_pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    today = timezone.localdate()
    ref = min(today, open_pause.started_on) if open_pause else today
    pauses = closed_pauses(case)
    used = workdays_between(case.submitted_on, ref, pauses).workdays
    return used, workdays_between(ref, due, pauses).workdays, ref > due


def status_summary(case: Case) -> dict:
    """Everything the applicant may see about their own case, in plain words; no ID number.

    The due date is the one the applicant was given (`cases.documents.applicant_due`): the proxy
    deadline for a proxied case (代办承诺办结日期), else the promised date, or the promised limit
    in working days while the deciding unit's clock has not started; the days left count to it.
    """
    from bianmin.cases.deadlines import ClockKind, clock
    from bianmin.cases.documents import applicant_due
    from bianmin.cases.workflow import ACTION_LABELS

    events = [
        {
            "at": e.at,
            "text": PLAIN_ACTIONS.get(e.action) or ACTION_LABELS.get(e.action) or e.action,
            "unit": e.unit.name if e.unit else "",
        }
        for e in case.events.select_related("unit").order_by("seq")
        if e.action not in HIDDEN_ACTIONS
    ]
    notice = case.notices.order_by("-issued_at", "-pk").first()
    c = clock(case)
    due = applicant_due(case)
    days_used, days_left, overdue = c.days_used, c.days_left, c.overdue
    if due.kind == "proxy" and due.date is not None and c.kind == ClockKind.CASE:
        # The deciding unit's clock runs, but the applicant counts to the proxy deadline.
        days_used, days_left, overdue = _clock_until(case, due.date)
    rating = None
    try:
        from bianmin.ratings.models import Rating

        rating = Rating.objects.filter(case=case, channel="online").order_by("-pk").first()
    except ImportError:  # pragma: no cover - ratings app absent
        pass
    from bianmin.ratings.selectors import case_rectifications_public
    from bianmin.ratings.services import RATEABLE_STATES

    return {
        "number": case.number,
        "item": case.title,
        "item_code": case.item_version.item.local_code if case.item_version else "",
        "state": case.state,
        "state_label": case.get_state_display(),
        "applicant": mask_name(case.applicant_name),
        "submitted_on": case.submitted_on,
        "accepted_on": case.accepted_on,
        "due": due.as_dict(),
        "due_on": due.date,
        "days_used": days_used,
        "days_left": days_left,
        "overdue": overdue,
        "where": case.current_unit,
        "intake_unit": case.intake_unit,
        "next_step": _next_step(case),
        "reasons": case.reasons
        if case.state in (State.DECLINED,) or case.approved is False
        else "",
        "approved": case.approved,
        "notice": notice if case.state == State.AWAITING_MATERIALS else None,
        "timeline": events,
        "can_rate": case.state in RATEABLE_STATES,
        "rating": rating,
        "rectifications": case_rectifications_public(case),
        "is_online": hasattr(case, "application"),
    }
