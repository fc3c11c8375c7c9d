"""The dashboard's irregularity panels (RULES.md "Supervision"): repeated one-time notices, late
deferred materials, refusals without reasons, applications neither accepted nor noticed within
5 working days (行政许可法 art. 32), and fees off the published standard. Found in SQL over
the region's live cases, with those of the settled cases of closed months as stored
(`irregular_cases`, `settled`), or over every case when the board counts every case; then only
the cases named are read."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from bianmin.cases.deadlines import DEEMED_ACCEPTANCE_DAYS, arrived_on
from bianmin.cases.models import (
    Case,
    FlagKind,
    MaterialStatus,
    OneTimeNotice,
    State,
    SupervisionFlag,
)
from bianmin.cases.routing import can_accept_here
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


class _Named:
    """The number, item and unit of the cases the lists name, read once for all of them."""

    def __init__(self, board: Board, pks: Iterable[int]):
        self.rows = {
            r["pk"]: r
            for r in Case.objects.filter(pk__in=set(pks) - {c.pk for c in board.cases}).values(
                "pk", "number", "item_version__name", "current_unit__name", "fee_total"
            )
        }
        for c in board.cases:
            self.rows[c.pk] = {
                "pk": c.pk,
                "number": c.number,
                "item_version__name": c.title,
                "current_unit__name": c.current_unit.name,
                "fee_total": c.fee_total,
            }

    def __call__(self, pk: int, **extra) -> dict:
        r = self.rows[pk]
        return {
            "number": r["number"],
            "item": r["item_version__name"],
            "unit": r["current_unit__name"],
        } | extra


def irregularities(board: Board) -> dict[str, list[dict]]:
    flags = defaultdict(list)
    for f in SupervisionFlag.objects.filter(board.of_cases("case")).order_by("raised_at", "pk"):
        flags[f.kind].append(f)
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
    return {
        "repeated_notices": [
            named(
                pk,
                notices=notices.get(pk, 0),
                refused_attempts=sum(f.case_id == pk for f in flags[FlagKind.REPEATED_NOTICE]),
            )
            for pk in sorted(repeated_ids)
        ],
        "late_materials": _late_materials(board, named, flags[FlagKind.DEFERRED_OVERDUE]),
        "no_reasons": [
            named(f.case_id, detail=f.detail, at=f.raised_at) for f in flags[FlagKind.NO_REASONS]
        ]
        + [named(pk, detail=_("不予受理或不予批准，理由为空"), at=None) for pk in no_reason_ids],
        "unaccepted": _unaccepted(board, named, deemed_ids, notices),
        "fees_off": [
            named(
                pk,
                charged=named.rows[pk]["fee_total"],
                standard=standard.get(version, NO_FEE),
            )
            for pk, version in fee_off_versions.items()
        ],
    }


def _late_materials(board: Board, named: _Named, flags: list[SupervisionFlag]) -> list[dict]:
    """Deferred materials of unfinished cases past due, then those the sweep flagged before."""
    # The unfinished cases' rows hold their deferred materials with a due day (`case_rows`).
    late = sorted(
        (m.due_on, m.pk, c.pk, m.name)
        for c in board.cases
        for m in c.materials.all()
        if m.status == MaterialStatus.DEFERRED and m.due_on is not None and m.due_on < board.today
    )
    rows = [named(case_id, material=name, due=due) for due, _pk, case_id, name in late]
    seen = {m["number"] + m["material"] for m in rows}
    for f in flags:
        key = named.rows[f.case_id]["number"] + f.detail
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
        if c.state != State.SUBMITTED or notices.get(c.pk) or not can_accept_here(c):
            continue
        arrived = arrived_on(c, board.custodies[c.pk])
        if arrived not in answer_due:
            answer_due[arrived] = calendar.add_workdays(
                arrived, DEEMED_ACCEPTANCE_DAYS, snap=board.snap
            )
        if answer_due[arrived].date < board.today:
            rows.append(named(c.pk, arrived=arrived, deemed=False))
    return rows
