"""The dashboard's irregularity panels (RULES.md "Supervision"): repeated one-time notices, late
deferred materials, refusals without reasons, applications neither accepted nor noticed within
5 working days (行政许可法 art. 32), and fees off the published standard. Found in SQL over
the region's live cases, with those of the settled cases of closed months as stored
(`irregular_cases`, `settled`), or over every case when the board counts every case; then only
the cases named are read."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from bianmin.cases.deadlines import DEEMED_ACCEPTANCE_DAYS
from bianmin.cases.models import (
    Case,
    FlagKind,
    OneTimeNotice,
    State,
    SupervisionFlag,
)
from bianmin.workdays import calendar

from .board import Board
from .irregular_cases import (
    DEEMED,
    FEES_OFF,
    NO_FEE,
    NO_REASONS,
    REPEATED_NOTICES,
    fee_standards,
    irregular_cases,
)


class FlagRow(NamedTuple):
    """What the lists read of a supervision flag (thousands at county scale: rows, not models)."""

    case_id: int
    kind: str
    detail: str


class _Named:
    """The number, item and unit of the cases the lists name: the board's own rows, the others
    read once for all of them."""

    def __init__(self, board: Board, pks: Iterable[int]):
        self.listed = {c.pk: c for c in board.cases}
        self.rows = {
            pk: (number, item, unit)
            for pk, number, item, unit in Case.objects.filter(
                pk__in=set(pks) - self.listed.keys()
            ).values_list("pk", "number", "item_version__name", "current_unit__name")
        }

    def number(self, pk: int) -> str:
        return self.listed[pk].number if pk in self.listed else self.rows[pk][0]

    def __call__(self, pk: int, **extra) -> dict:
        c = self.listed.get(pk)
        number, item, unit = (c.number, c.title, c.unit_name) if c else self.rows[pk]
        return {"number": number, "item": item, "unit": unit} | extra


def irregularities(board: Board) -> dict[str, list[dict]]:
    flags = defaultdict(list)
    listed = (FlagKind.REPEATED_NOTICE, FlagKind.DEFERRED_OVERDUE, FlagKind.NO_REASONS)
    of_board = SupervisionFlag.objects.filter(board.of_cases("case"), kind__in=listed).order_by(
        "raised_at", "pk"
    )
    # Thousands of flags: the time each was raised is read only where a list shows it.
    for f in of_board.values_list(*FlagRow._fields):
        flag = FlagRow(*f)
        flags[flag.kind].append(flag)
    no_reasons_flags = of_board.filter(kind=FlagKind.NO_REASONS).values_list(
        "case_id", "detail", "raised_at"
    )
    refused_attempts = Counter(f.case_id for f in flags[FlagKind.REPEATED_NOTICE])
    standard = fee_standards()
    # Kept with the closed months and the live cases, unless the board counts every case itself.
    kept = board.kept.irregular if board.kept else irregular_cases(board.base, standard)
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for row in kept:
        found[row.kind][row.case_id] = row.value
    flagged = {f.case_id for f in flags[FlagKind.REPEATED_NOTICE]}
    # One-time notices of the submitted cases (the unaccepted list) and the flagged ones.
    notices = dict(found[REPEATED_NOTICES])
    notices |= dict(
        OneTimeNotice.objects.filter(
            Q(case__in=board.base.filter(state=State.SUBMITTED).order_by().values("pk"))
            | Q(case__in=flagged)
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values_list("case", "n")
    )
    no_reason_ids = sorted(found[NO_REASONS])
    deemed_ids = sorted(found[DEEMED])
    fee_off_versions = {pk: found[FEES_OFF][pk] for pk in sorted(found[FEES_OFF])}
    repeated_ids = set(found[REPEATED_NOTICES]) | flagged
    named = _Named(
        board,
        repeated_ids
        | {f.case_id for fs in flags.values() for f in fs}
        | set(no_reason_ids)
        | set(deemed_ids)
        | set(fee_off_versions),
    )
    charged = dict(
        Case.objects.filter(pk__in=list(fee_off_versions)).values_list("pk", "fee_total")
    )
    return {
        "repeated_notices": [
            named(
                pk,
                notices=notices.get(pk, 0),
                refused_attempts=refused_attempts[pk],
            )
            for pk in sorted(repeated_ids)
        ],
        "late_materials": _late_materials(board, named, flags[FlagKind.DEFERRED_OVERDUE]),
        "no_reasons": [
            named(case_id, detail=detail, at=at) for case_id, detail, at in no_reasons_flags
        ]
        + [named(pk, detail=_("不予受理或不予批准，理由为空"), at=None) for pk in no_reason_ids],
        "unaccepted": _unaccepted(board, named, deemed_ids, notices),
        "fees_off": [
            named(
                pk,
                charged=charged[pk],
                standard=standard.get(version, NO_FEE),
            )
            for pk, version in fee_off_versions.items()
        ],
    }


def _late_materials(board: Board, named: _Named, flags: list[FlagRow]) -> list[dict]:
    """Deferred materials of unfinished cases past due, then those the sweep flagged before."""
    # The unfinished cases' rows hold their deferred materials with a due day (`case_rows`).
    late = sorted(
        (m.due_on, m.pk, c.pk, m.name)
        for c in board.cases
        for m in c.materials
        if m.due_on < board.today
    )
    rows = [named(case_id, material=name, due=due) for due, _pk, case_id, name in late]
    seen = {m["number"] + m["material"] for m in rows}
    for f in flags:
        key = named.number(f.case_id) + f.detail
        if key not in seen:
            rows.append(named(f.case_id, material=f.detail, due=None))
            seen.add(key)
    return rows


def _unaccepted(
    board: Board, named: _Named, deemed_ids: list[int], notices: dict[int, int]
) -> list[dict]:
    """Applications neither accepted nor noticed within 5 working days of their arrival
    (`cases.deadlines.arrived_on`): those the sweep deemed accepted (on the day they arrived),
    then those still waiting at a unit that may accept them."""
    accepted_on = dict(board.base.filter(pk__in=deemed_ids).values_list("pk", "accepted_on"))
    rows = [named(pk, arrived=accepted_on[pk], deemed=True) for pk in deemed_ids]
    answer_due: dict[dt.date, calendar.DateAnswer] = {}  # by arrival day: many cases share one
    for c in board.cases:
        if c.state != State.SUBMITTED or notices.get(c.pk) or not c.can_accept:
            continue
        arrived = c.arrived
        if arrived not in answer_due:
            answer_due[arrived] = calendar.add_workdays(
                arrived, DEEMED_ACCEPTANCE_DAYS, snap=board.snap
            )
        if answer_due[arrived].date < board.today:
            rows.append(named(c.pk, arrived=arrived, deemed=False))
    return rows
