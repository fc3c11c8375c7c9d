"""Work queues.

One table decides which queue an unfinished case is in for a viewer (`QUEUE_TABLE`); the queue
overview (`work_queues`), a queue's own list (`case_list(queue=...)`), the staff home counts and
the API all read it. Colours come from the one colour rule (`deadlines.clock`)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.errors import ValidationFailed
from bianmin.common.rows import RelatedRows, value_columns
from bianmin.orgs.scope import Scope, scope_for

from .. import queue_cache
from ..deadlines import RED, YELLOW
from ..deadlines import clock as case_clock
from ..models import DELIVERY_STATES, ERRAND, OPEN_STATES, Case, Channel, Pause, State, SubReview
from ..workflow import IN_HANDLING
from .access import open_cases_visible
from .rows import PauseSpan, case_rows


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
    label: str | Promise  # lazy: read in the language of each request, not of the import
    action: str  # the table's action the queue is waiting for (`workflow`)
    member: Callable[[QueueRow, QueueView], bool]


def _acceptable_here(r: QueueRow) -> bool:
    return r.current_unit_id in (r.accepting_unit_id, r.deciding_unit_id)


QUEUE_TABLE: dict[str, Queue] = {
    q.code: q
    for q in (
        Queue(
            "to_receive",
            gettext_lazy("待接收"),
            "receive",
            lambda r, v: v.mine(r) and r.state in RECEIVING,
        ),
        Queue(
            "to_accept",
            gettext_lazy("待受理"),
            "accept",
            lambda r, v: v.mine(r) and r.state == State.SUBMITTED and _acceptable_here(r),
        ),
        Queue(
            "to_forward",
            gettext_lazy("待转报"),
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
            gettext_lazy("待审核"),
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
            gettext_lazy("待补正"),
            "supplement",
            lambda r, v: (
                r.state == State.AWAITING_MATERIALS
                and (v.mine(r) or (v.units is not None and r.intake_unit_id in v.units))
            ),
        ),
        Queue(
            "to_hand_back",
            gettext_lazy("待回交"),
            "hand_back",
            lambda r, v: (
                v.mine(r) and r.state in RESULT_HELD and r.current_unit_id != r.intake_unit_id
            ),
        ),
        Queue(
            "to_deliver",
            gettext_lazy("待送达"),
            "deliver",
            lambda r, v: (
                v.mine(r) and r.state in RESULT_HELD and r.current_unit_id == r.intake_unit_id
            ),
        ),
        Queue("due_soon", gettext_lazy("即将到期"), "", lambda r, v: v.colours.get(r.pk) == YELLOW),
        Queue("overdue", gettext_lazy("已超期"), "", lambda r, v: v.colours.get(r.pk) == RED),
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
    gettext_lazy("待办"),
    "",
    lambda r, v: any(QUEUE_TABLE[code].member(r, v) for code in OWN_UNIT_QUEUES),
)
LIST_QUEUES: dict[str, Queue] = {**QUEUE_TABLE, TODO.code: TODO}


def _queue_order(row: QueueRow) -> tuple:
    """The running deadline first (undated cases first on every database), newest first."""
    due = row.promised_due or row.proxy_due or row.delivery_due
    return (due is not None, due or dt.date.min, -row.created_at.timestamp(), -row.pk)


def queue_memberships(*, viewer, scope: Scope, today: dt.date) -> dict[str, list[int]]:
    """Each list queue's case ids (`LIST_QUEUES`), running deadline first, then newest: what the
    queue overview, the queue lists, the API and the staff home read. Kept a few seconds between
    requests and read again at once after any change at the viewer's units (`queue_cache`); the
    ids alone, so a kept answer costs little to read."""

    def compute() -> dict[str, list[int]]:
        rows, view = queue_rows(viewer=viewer, scope=scope, today=today)
        rows.sort(key=_queue_order)
        return {code: [r.pk for r in rows if q.member(r, view)] for code, q in LIST_QUEUES.items()}

    return queue_cache.kept(viewer=viewer, scope=scope, today=today, compute=compute)


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


def queue_case_ids(*, viewer, queue: str, scope: Scope, today: dt.date) -> list[int]:
    if queue not in LIST_QUEUES:
        raise ValidationFailed(_("工作队列无效"), field="queue")
    return queue_memberships(viewer=viewer, scope=scope, today=today)[queue]


def work_queues(
    *, viewer, today: dt.date | None = None, limit: int = 20, scope: Scope | None = None
) -> dict[str, dict]:
    """The viewer's queues: {"to_accept": {"count": n, "items": [cases]}, ...}, by the queue
    table; the first `limit` cases of every queue come with their units and clocks in one fetch.
    """
    today = today or timezone.localdate()
    scope = scope or scope_for(viewer)
    queues = queue_memberships(viewer=viewer, scope=scope, today=today)
    wanted = {pk for name in QUEUES for pk in queues[name][:limit]}
    cases = {r.pk: r for r in case_rows(Case.objects.filter(pk__in=wanted))} if wanted else {}
    return {
        name: {"count": len(queues[name]), "items": [cases[pk] for pk in queues[name][:limit]]}
        for name in QUEUES
    }
