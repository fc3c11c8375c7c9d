"""Reads of cases, always through the viewer's access scope (DESIGN.md "Access follows the region
tree and the unit"): a village agent sees its village's cases, a township centre its own and its
villages', a county department the cases routed to it, a supervisor all in its jurisdiction.
"""

import base64
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import NotFound, PermissionDenied, ValidationFailed
from bianmin.common.rows import RelatedRows, value_columns
from bianmin.orgs.models import Region, Staff, Unit
from bianmin.orgs.scope import Scope, scope_for
from bianmin.orgs.selectors import display_names
from bianmin.workdays.calendar import workdays_between

from .deadlines import RED, YELLOW
from .deadlines import clock as case_clock
from .models import (
    DELIVERY_STATES,
    ERRAND,
    OPEN_STATES,
    Case,
    CaseEvent,
    Channel,
    Custody,
    ErrandKind,
    Pause,
    PersonalDataView,
    State,
    SubReview,
)
from .workflow import IN_HANDLING


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


def _encode_cursor(case: "CaseRow") -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("分页游标无效"), field="cursor") from None


class PauseSpan(NamedTuple):
    started_on: dt.date
    ended_on: dt.date | None


class UnitName(NamedTuple):
    pk: int
    name: str


@dataclass(slots=True)
class CaseRow:
    """A case as a list shows it (the list and queue pages, the API's list items): its own
    columns read as values, the names of its units, item and assignee looked up by id. It reads
    like a case where lists read one: `title`, `current_unit.name`, `pauses.all()`.

    Building full `Case` instances with their three units, item version, assignee and pauses
    cost ~0.3 ms a case, most of a queue page (issue 8); the case page loads the case whole."""

    pk: int
    number: str
    state: str
    case_class: str
    channel: str
    errand_kind: str
    item_version_id: int | None
    applicant_kind: str
    applicant_name: str
    id_number: str
    credit_code: str
    phone: str
    intake_unit_id: int
    current_unit_id: int
    accepting_unit_id: int | None
    deciding_unit_id: int
    assigned_to_id: int | None
    created_at: dt.datetime
    submitted_on: dt.date
    accepted_on: dt.date | None
    clock_started_on: dt.date | None
    held_since: dt.date | None
    extended_days: int
    concluded_on: dt.date | None
    closed_on: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    proxy_due: dt.date | None
    delivery_due: dt.date | None
    deadlines_provisional: bool
    lock_version: int
    title: str = ""
    promised_limit: int = 0
    intake_unit: UnitName | None = None
    current_unit: UnitName | None = None
    deciding_unit: UnitName | None = None
    assigned_name: str = ""
    pauses: RelatedRows = field(default_factory=RelatedRows)

    @property
    def is_proxy(self) -> bool:
        return self.channel == Channel.PROXY and self.case_class != ERRAND


ROW_COLUMNS = value_columns(CaseRow)


def case_rows(qs: QuerySet[Case]) -> list[CaseRow]:
    """The rows of `qs` (already filtered, ordered and sliced), in its order: the cases' own
    columns, then the names of their units, items and assignees and the pauses of the accepted
    ones (which their clocks read), each by id.

    The names are not joined in: planning a case query with six more tables took PostgreSQL
    ~3 ms for 20 rows and ~24 ms for a queue page (EXPLAIN, county scale), more than the three
    short lookups by primary key cost there; on SQLite the lookups cost ~0.4 ms more (issue 8)."""
    rows = [CaseRow(*values) for values in qs.values_list(*ROW_COLUMNS)]
    if not rows:
        return rows
    unit_ids = {u for r in rows for u in (r.intake_unit_id, r.current_unit_id, r.deciding_unit_id)}
    units = dict(Unit.objects.filter(pk__in=unit_ids).order_by().values_list("pk", "name"))
    versions = {
        pk: (name, limit)
        for pk, name, limit in ItemVersion.objects.filter(
            pk__in={r.item_version_id for r in rows if r.item_version_id}
        )
        .order_by()
        .values_list("pk", "name", "promised_limit")
    }
    names = display_names(r.assigned_to_id for r in rows if r.assigned_to_id)
    accepted = {r.pk: r for r in rows if r.accepted_on or r.proxy_due}
    if accepted:
        for case_id, started, ended in (
            Pause.objects.filter(case_id__in=accepted)
            .order_by("started_on", "pk")
            .values_list("case_id", "started_on", "ended_on")
        ):
            accepted[case_id].pauses.append(PauseSpan(started, ended))
    for r in rows:
        r.intake_unit = UnitName(r.intake_unit_id, units[r.intake_unit_id])
        r.current_unit = UnitName(r.current_unit_id, units[r.current_unit_id])
        r.deciding_unit = UnitName(r.deciding_unit_id, units[r.deciding_unit_id])
        r.assigned_name = names.get(r.assigned_to_id, "") if r.assigned_to_id else ""
        if r.item_version_id:
            r.title, r.promised_limit = versions[r.item_version_id]
        elif r.errand_kind:
            r.title = str(ErrandKind(r.errand_kind).label)
    return rows


@dataclass(frozen=True)
class Page:
    items: list[CaseRow]
    next_cursor: str | None


# Case search (办件查询): what one box may hold, and how each reading is matched.
SEARCH_MAX = 50
ID_NUMBER_RE = re.compile(r"\d{17}[\dX]")
CREDIT_CODE_RE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}")
PHONE_TYPED_RE = re.compile(r"\d[\d-]*\d")
PHONE_TAIL_MIN = 4


def _search_text(q: str) -> str:
    """The box's text with full-width forms folded (NFKC: `１３９` -> `139`, `ｘ` -> `x`) and
    spaces removed (`139 1234 5678`, a name typed with a space)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", q or ""))
    if len(text) > SEARCH_MAX:
        raise ValidationFailed(_("查询内容不能超过%(n)s个字符") % {"n": SEARCH_MAX}, field="q")
    return text


def _search_arms(text: str) -> Q:
    """The ways one search text can name cases (any of them matches):

    - a case number: exact or a prefix, any case (numbers are stored upper case);
    - an applicant's name: contains the text;
    - a 居民身份证号: exact, a lowercase x read as X (GB 11643);
    - a 统一社会信用代码: exact;
    - a phone number: exact, or its last 4 or more digits.
    """
    upper = text.upper()
    arms = Q(applicant_name__icontains=text)
    if upper[:1].isalpha():
        # The range lets the unique index on the number answer it (LIKE alone cannot use it on
        # SQLite); the prefix test keeps it exact under any collation.
        arms |= Q(number__gte=upper, number__lt=upper + "\uffff", number__startswith=upper)
    if ID_NUMBER_RE.fullmatch(upper):
        arms |= Q(id_number=upper)
    if CREDIT_CODE_RE.fullmatch(upper):
        arms |= Q(credit_code=upper)
    if PHONE_TYPED_RE.fullmatch(text):
        digits = text.replace("-", "")
        arms |= Q(phone=text)
        if len(digits) >= PHONE_TAIL_MIN:
            arms |= Q(phone__endswith=digits)
    return arms


def _as_date(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            _("日期格式不正确：%(v)s（应为 YYYY-MM-DD）") % {"v": value}, field=field
        ) from None


CASE_COLOURS = ("green", "yellow", "red")


def case_colours(*, viewer, cases: QuerySet[Case], today: dt.date) -> dict[int, str]:
    """{pk: colour} of the unfinished cases among `cases` on `today`, by the rule named in
    `settings.BIANMIN_CASE_COLOURS` (supervision's worst running clock, RULES.md "Supervision"):
    the supervision dashboard counts with the same function, so its counts and these lists agree.
    """
    rule = import_string(settings.BIANMIN_CASE_COLOURS)
    return rule(viewer=viewer, cases=cases, today=today)


def case_list(
    *,
    viewer,
    state: str | None = None,
    unit: int | None = None,
    overdue: bool | None = None,
    queue: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    today: dt.date | None = None,
    scope: Scope | None = None,
    q: str | None = None,
    item: str | None = None,
    channel: str | None = None,
    submitted_from: dt.date | str | None = None,
    submitted_to: dt.date | str | None = None,
    region: str | None = None,
    own_region: bool = False,
    colour: str | None = None,
    unfinished: bool = False,
) -> Page:
    """Newest first, keyset-paginated on (created_at, id), within the viewer's scope.

    Staff search (办件查询) narrows it further: `q` is one search box matched as a case number
    (exact or prefix), an applicant name (contains), an ID number or credit code (exact) or a
    phone (exact or its last 4+ digits), see `_search_arms`; `item` an item name (contains);
    `channel` one of `Channel`; `submitted_from` / `submitted_to` the intake date range
    (inclusive; dates or YYYY-MM-DD). Unknown states, queues, channels or dates are refused with
    the field named (422), never ignored.

    The counts of the supervision dashboard link here: `region` narrows to a region's subtree
    (`own_region`: to cases of that region itself, held at its own hall, not of its children),
    `unit` to the cases a unit holds, `unfinished` to the unfinished cases and `colour` (green,
    yellow, red) to those whose worst running clock has that colour on `today`, by the rule
    `settings.BIANMIN_CASE_COLOURS` names (supervision's: cases may not import it).

    A queue, the overdue filter or an unfinished state confines the list to unfinished cases:
    those are read through `open_cases_visible` (index searches, a few hundred rows to sort)
    rather than by walking the whole history newest first until the page fills, which took
    hundreds of milliseconds for the overdue queue, whose cases are old (issue 8)."""
    today = today or timezone.localdate()
    scope = scope or scope_for(viewer)
    if state and state not in State.values:
        raise ValidationFailed(_("状态无效"), field="state")
    if channel and channel not in Channel.values:
        raise ValidationFailed(_("办理渠道无效：%(c)s") % {"c": channel}, field="channel")
    start = _as_date(submitted_from, "submitted_from")
    end = _as_date(submitted_to, "submitted_to")
    if start and end and start > end:
        raise ValidationFailed(_("截止日期不能早于起始日期"), field="submitted_to")
    if colour and colour not in CASE_COLOURS:
        raise ValidationFailed(_("时限颜色无效：%(c)s") % {"c": colour}, field="colour")
    region_row = None
    if region:
        region_row = Region.objects.filter(code=region.strip()).first()
        if region_row is None:
            raise ValidationFailed(_("区划 %(c)s 不存在") % {"c": region}, field="region")
    text = _search_text(q or "")
    item = (item or "").strip()
    unfinished_only = (
        state in QUEUE_STATES or bool(queue) or overdue is True or unfinished or bool(colour)
    )
    states = [state] if state else QUEUE_STATES
    if queue or overdue is not None:
        # Queue membership and lateness come from the queue table over the viewer's open cases
        # (a few thousand rows at most), never from a second SQL definition of either.
        queue_ids = queue_case_ids(
            viewer=viewer, queue=queue or "overdue", scope=scope, today=today
        )
    # How the unfinished cases are read (bench/bench_queries.py measures each against SQL):
    if queue:
        # The queue table read them through the viewer's scope already.
        qs = Case.objects.filter(state__in=states, pk__in=queue_ids)
    elif unfinished_only:
        qs = open_cases_visible(viewer=viewer, states=states, scope=scope)
    else:
        qs = cases_visible(viewer=viewer, scope=scope)
    if state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(current_unit_id=unit)
    if region_row is not None:
        qs = qs.filter(
            Q(region=region_row) if own_region else Q(region__code__startswith=region_row.prefix)
        )
    if colour:
        coloured = case_colours(viewer=viewer, cases=qs, today=today)
        qs = Case.objects.filter(pk__in=[pk for pk, c in coloured.items() if c == colour])
    if overdue is not None and queue != "overdue":
        overdue_ids = (
            queue_ids
            if not queue
            else queue_case_ids(viewer=viewer, queue="overdue", scope=scope, today=today)
        )
        qs = qs.filter(pk__in=overdue_ids) if overdue else qs.exclude(pk__in=overdue_ids)
    if text:
        qs = qs.filter(_search_arms(text))
    if item:
        qs = qs.filter(
            item_version__in=ItemVersion.objects.filter(name__icontains=item).values("pk")
        )
    if channel:
        qs = qs.filter(channel=channel)
    if start:
        qs = qs.filter(submitted_on__gte=start)
    if end:
        qs = qs.filter(submitted_on__lte=end)
    if cursor:
        at, pk = _decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    limit = max(1, min(int(limit), 200))
    if unfinished_only or text:
        # The page is taken from the matching ids as a subquery: with ORDER BY ... LIMIT on the
        # filtered query itself, SQLite walks the created_at index backwards and tests the scope
        # on every case it passes (a list of ids would also hit SQLite's parameter limit at city
        # scale). A search text matches few cases, so the same holds for it; the other filters
        # match many and keep the walk, which stops when the page is full.
        qs = Case.objects.filter(pk__in=qs.order_by().values("pk"))
    items = case_rows(qs.order_by("-created_at", "-pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, _encode_cursor(items[-1]) if more and items else None)


def case_get(
    *,
    viewer,
    number: str,
    log: bool = True,
    channel: str = "api",
    errands: bool = False,
    scope: Scope | None = None,
) -> Case:
    """One case by number: 404 if unknown, 403 outside the viewer's scope; the view is logged.
    Errands are found only when asked for (`errands=True`); `scope`: the viewer's, when the
    caller already holds it."""
    manager = Case.all_objects if errands else Case.objects
    case = (
        manager.select_related("item_version", "region")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if case is None:
        raise NotFound(_("办件 %(n)s 不存在") % {"n": number})
    visible = cases_visible(viewer=viewer, base=manager.all(), scope=scope)
    if not visible.filter(pk=case.pk).exists():
        raise PermissionDenied(_("无权查看该办件"))
    if log:
        PersonalDataView.objects.create(case=case, viewer=viewer, channel=channel)
    _attach_units_and_people(case)
    return case


def _attach_units_and_people(case: Case) -> None:
    """The case's three units in one query and its people in another, set on the case as if
    selected with it. Joined into the case's own query they made PostgreSQL plan an
    eleven-table join: 13 ms of a 40 ms case page (EXPLAIN at county scale; issue 8)."""
    units = Unit.objects.in_bulk({case.intake_unit_id, case.current_unit_id, case.deciding_unit_id})
    case.intake_unit = units[case.intake_unit_id]
    case.current_unit = units[case.current_unit_id]
    case.deciding_unit = units[case.deciding_unit_id]
    users = {case.first_responder_id, case.assigned_to_id} - {None}
    if users:
        found = get_user_model().objects.select_related("staff").in_bulk(users)
        if case.first_responder_id:
            case.first_responder = found[case.first_responder_id]
        if case.assigned_to_id:
            case.assigned_to = found[case.assigned_to_id]
    if case.agent_id:
        case.agent = Staff.objects.get(pk=case.agent_id)


def case_timeline(*, viewer, number: str) -> list[CaseEvent]:
    case = case_get(viewer=viewer, number=number, log=False, errands=True)
    return case_events(case=case)


def case_events(*, case: Case) -> list[CaseEvent]:
    """The timeline of a case the caller has already fetched through `case_get` (scoped)."""
    return list(case.events.select_related("unit").order_by("seq"))


# --- work queues ---------------------------------------------------------------------------
#
# One table decides which queue an unfinished case is in for a viewer (`QUEUE_TABLE`); the queue
# overview (`work_queues`), a queue's own list (`case_list(queue=...)`), the staff home counts and
# the API all read it. Colours come from the one colour rule (`deadlines.clock`).


@dataclass(slots=True, eq=False)
class QueueRow:
    """An unfinished case as the queue table reads it: its route, its dates and its running
    clock (`deadlines.clock` reads the same names as on a `Case`). Only an open pause is read:
    the clock's colour looks forward from today or from the pause's start, where no closed pause
    can lie."""

    pk: int
    state: str
    channel: str
    case_class: str
    current_unit_id: int
    intake_unit_id: int
    accepting_unit_id: int | None
    deciding_unit_id: int
    submitted_on: dt.date
    accepted_on: dt.date | None
    clock_started_on: dt.date | None
    concluded_on: dt.date | None
    closed_on: dt.date | None
    promised_due: dt.date | None
    proxy_due: dt.date | None
    delivery_due: dt.date | None
    extended_days: int
    deadlines_provisional: bool
    created_at: dt.datetime
    promised_limit: int | None
    pauses: RelatedRows = field(default_factory=RelatedRows)

    @property
    def is_proxy(self) -> bool:
        return self.channel == Channel.PROXY and self.case_class != ERRAND


QUEUE_COLUMNS = tuple(
    "item_version__promised_limit" if c == "promised_limit" else c for c in value_columns(QueueRow)
)
PAUSED = frozenset({State.AWAITING_MATERIALS, State.SUSPENDED})
RECEIVING = frozenset({State.FORWARDED, State.REFERRED, State.RETURNING})
RESULT_HELD = frozenset({State.CONCLUDED, State.TO_DELIVER})


@dataclass(frozen=True)
class QueueView:
    """Who looks: the units they act for (None: every unit, a superuser), the cases with a joint
    review pending for one of those units, and the colour of each case's clock today."""

    units: frozenset[int] | None
    pending_joint: frozenset[int]
    colours: dict[int, str]

    def mine(self, row: QueueRow) -> bool:
        return self.units is None or row.current_unit_id in self.units


@dataclass(frozen=True)
class Queue:
    code: str
    label: str
    action: str  # the table's action the queue is waiting for (`workflow`)
    member: Callable[[QueueRow, QueueView], bool]


def _acceptable_here(r: QueueRow) -> bool:
    return r.current_unit_id in (r.accepting_unit_id, r.deciding_unit_id)


QUEUE_TABLE: dict[str, Queue] = {
    q.code: q
    for q in (
        Queue(
            "to_receive", _("待接收"), "receive", lambda r, v: v.mine(r) and r.state in RECEIVING
        ),
        Queue(
            "to_accept",
            _("待受理"),
            "accept",
            lambda r, v: v.mine(r) and r.state == State.SUBMITTED and _acceptable_here(r),
        ),
        Queue(
            "to_forward",
            _("待转报"),
            "forward",
            lambda r, v: (
                v.mine(r)
                and (
                    (r.state == State.SUBMITTED and not _acceptable_here(r))
                    or (r.state == State.ACCEPTED and r.current_unit_id != r.deciding_unit_id)
                )
            ),
        ),
        Queue(
            "to_review",
            _("待审核"),
            "review",
            lambda r, v: (
                (
                    v.mine(r)
                    and r.current_unit_id == r.deciding_unit_id
                    and r.state in IN_HANDLING | {State.DECIDED}
                )
                or (r.state == State.JOINT_REVIEW and r.pk in v.pending_joint)
            ),
        ),
        Queue(
            "awaiting_materials",
            _("待补正"),
            "supplement",
            lambda r, v: (
                r.state == State.AWAITING_MATERIALS
                and (v.mine(r) or (v.units is not None and r.intake_unit_id in v.units))
            ),
        ),
        Queue(
            "to_hand_back",
            _("待回交"),
            "hand_back",
            lambda r, v: (
                v.mine(r) and r.state in RESULT_HELD and r.current_unit_id != r.intake_unit_id
            ),
        ),
        Queue(
            "to_deliver",
            _("待送达"),
            "deliver",
            lambda r, v: (
                v.mine(r) and r.state in RESULT_HELD and r.current_unit_id == r.intake_unit_id
            ),
        ),
        Queue("due_soon", _("即将到期"), "", lambda r, v: v.colours.get(r.pk) == YELLOW),
        Queue("overdue", _("已超期"), "", lambda r, v: v.colours.get(r.pk) == RED),
    )
}
QUEUES = tuple(QUEUE_TABLE)
# Queues of cases that one of the viewer's units holds, took in or has a pending joint review
# of: each of those is an arm of the access rule (`cases_visible`).
OWN_UNIT_QUEUES = frozenset(QUEUES) - {"due_soon", "overdue"}
# Every queue holds unfinished cases only: the work queues read these rows and nothing older.
QUEUE_STATES = OPEN_STATES | DELIVERY_STATES
# The staff home's 待办: every case waiting for one of the viewer's own queues. Listed like a
# queue (`case_list(queue="todo")`) but not one of the table's queues: a case in it is in one
# of those already.
TODO = Queue(
    "todo",
    _("待办"),
    "",
    lambda r, v: any(QUEUE_TABLE[code].member(r, v) for code in OWN_UNIT_QUEUES),
)
LIST_QUEUES: dict[str, Queue] = {**QUEUE_TABLE, TODO.code: TODO}


def _queue_order(row: QueueRow) -> tuple:
    """The running deadline first (undated cases first on every database), newest first."""
    due = row.promised_due or row.proxy_due or row.delivery_due
    return (due is not None, due or dt.date.min, -row.created_at.timestamp(), -row.pk)


def queue_rows(*, viewer, scope: Scope, today: dt.date) -> tuple[list[QueueRow], QueueView]:
    """The viewer's unfinished cases as queue rows, and how the queue table sees them: a bounded
    number of queries whatever the size of the history (the open cases, their open pauses, the
    pending joint reviews among them)."""
    # A queue holds the work of the units the viewer works at, not of every unit it may act for.
    units = None if viewer.is_superuser else scope.home_unit_ids
    qs = open_cases_visible(viewer=viewer, states=QUEUE_STATES, scope=scope).order_by()
    rows = [QueueRow(*values) for values in qs.values_list(*QUEUE_COLUMNS)]
    paused = {r.pk: r for r in rows if r.state in PAUSED}
    if paused:
        for case_id, started, ended in Pause.objects.filter(
            case_id__in=paused, ended_on=None
        ).values_list("case_id", "started_on", "ended_on"):
            paused[case_id].pauses.append(PauseSpan(started, ended))
    joint = [r.pk for r in rows if r.state == State.JOINT_REVIEW]
    pending_joint: set[int] = set()
    if joint:
        pending = SubReview.objects.filter(case_id__in=joint, opinion=SubReview.Opinion.PENDING)
        if units is not None:
            pending = pending.filter(unit__in=units)
        pending_joint = set(pending.values_list("case_id", flat=True))
    colours: dict[int, str] = {}
    memo: dict[tuple, str] = {}
    for r in rows:
        # Thousands of open cases share a few hundred deadlines: colour each once.
        key = (r.state, r.concluded_on is not None, r.promised_due, r.proxy_due, r.delivery_due,
               r.clock_started_on, r.submitted_on, r.promised_limit, r.extended_days,
               tuple(r.pauses), r.is_proxy)  # fmt: skip
        if key not in memo:
            memo[key] = case_clock(r, today).colour
        colours[r.pk] = memo[key]
    return rows, QueueView(units, frozenset(pending_joint), colours)


def queue_members(rows: list[QueueRow], view: QueueView) -> dict[str, list[QueueRow]]:
    """Each queue's cases among `rows` (`QUEUE_TABLE`)."""
    return {code: [r for r in rows if q.member(r, view)] for code, q in QUEUE_TABLE.items()}


def queue_case_ids(*, viewer, queue: str, scope: Scope, today: dt.date) -> list[int]:
    if queue not in LIST_QUEUES:
        raise ValidationFailed(_("工作队列无效"), field="queue")
    rows, view = queue_rows(viewer=viewer, scope=scope, today=today)
    member = LIST_QUEUES[queue].member
    return [r.pk for r in rows if member(r, view)]


def work_queues(
    *, viewer, today: dt.date | None = None, limit: int = 20, scope: Scope | None = None
) -> dict[str, dict]:
    """The viewer's queues: {"to_accept": {"count": n, "items": [cases]}, ...}, by the queue
    table; the first `limit` cases of every queue come with their units and clocks in one fetch.
    """
    today = today or timezone.localdate()
    scope = scope or scope_for(viewer)
    rows, view = queue_rows(viewer=viewer, scope=scope, today=today)
    queues = queue_members(rows, view)
    firsts = {name: sorted(members, key=_queue_order)[:limit] for name, members in queues.items()}
    wanted = {row.pk for members in firsts.values() for row in members}
    cases = {r.pk: r for r in case_rows(Case.objects.filter(pk__in=wanted))} if wanted else {}
    return {
        name: {"count": len(queues[name]), "items": [cases[row.pk] for row in firsts[name]]}
        for name in QUEUES
    }


@dataclass(frozen=True)
class Holding:
    unit: str
    received_at: dt.datetime | None
    left_at: dt.datetime | None
    workdays: int | None


def case_holdings(*, case: Case, today: dt.date | None = None) -> list[Holding]:
    """How long each unit held the case, from its custody records (DESIGN.md: time per tier)."""

    today = today or timezone.localdate()
    hops = list(case.custodies.select_related("to_unit").order_by("sent_at", "pk"))
    out = []
    for i, hop in enumerate(hops):
        left = hops[i + 1].sent_at if i + 1 < len(hops) else None
        days = None
        if hop.received_at is not None:
            end = timezone.localdate(left) if left else today
            days = workdays_between(timezone.localdate(hop.received_at), end).workdays
        out.append(Holding(hop.to_unit.name, hop.received_at, left, days))
    return out
