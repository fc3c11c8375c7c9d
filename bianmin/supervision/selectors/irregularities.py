"""The dashboard's irregularity panels (RULES.md "Supervision"): repeated one-time notices, late
deferred materials, refusals without reasons, applications neither accepted nor noticed within
5 working days (行政许可法 art. 32), and fees off the published standard. Found in SQL over
every case of the region; then only the cases named are read."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from bianmin.cases.deadlines import DEEMED_ACCEPTANCE_DAYS, arrived_on
from bianmin.cases.models import (
    Case,
    CaseMaterial,
    FlagKind,
    MaterialStatus,
    OneTimeNotice,
    State,
    SupervisionFlag,
)
from bianmin.cases.routing import can_accept_here
from bianmin.catalog.models import Fee
from bianmin.workdays import calendar

from .board import Board

NO_FEE = Decimal("0.00")


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
    # One-time notices per case, for the repeated-notice list and the unaccepted cases: the
    # cases with two or more, the submitted ones and the flagged ones, not every case noticed
    # once in the region's history (180,000 rows at 1.5 million cases).
    per_case = (
        OneTimeNotice.objects.filter(board.of_cases("case"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
    )
    flagged = {f.case_id for f in flags[FlagKind.REPEATED_NOTICE]}
    notices = dict(per_case.filter(n__gt=1).values_list("case", "n"))
    notices |= dict(
        per_case.filter(Q(case__state=State.SUBMITTED) | Q(case__in=flagged)).values_list(
            "case", "n"
        )
    )
    no_reason_ids = set(
        board.base.filter(Q(state=State.DECLINED) | Q(approved=False), reasons="")
        .order_by()
        .values_list("pk", flat=True)
    )
    deemed_ids = list(
        board.base.filter(deemed_accepted=True).order_by("pk").values_list("pk", flat=True)
    )
    standard, fee_off_versions = _fees_off(board)
    repeated_ids = {pk for pk, n in notices.items() if n > 1} | flagged
    named = _Named(
        board,
        repeated_ids
        | {f.case_id for fs in flags.values() for f in fs}
        | no_reason_ids
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
        + [
            named(pk, detail=_("不予受理或不予批准，理由为空"), at=None)
            for pk in sorted(no_reason_ids)
        ],
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


def _fees_off(board: Board) -> tuple[dict[int, Decimal], dict[int, int]]:
    """The published fee total of each item version, and {pk: item version} of the cases whose
    fee is not their version's total (0 for a version without fees)."""
    standard = dict(
        Fee.objects.order_by()
        .values("version")
        .annotate(total=Sum("amount"))
        .values_list("version", "total")
    )
    # One filtered scan names the cases off the standard, no DISTINCT over every case.
    fee_on_q = Q(fee_total=NO_FEE) & ~Q(item_version_id__in=list(standard))
    for version, total in standard.items():
        fee_on_q |= Q(item_version_id=version, fee_total=total)
    off = dict(board.base.filter(~fee_on_q).order_by("pk").values_list("pk", "item_version_id"))
    return standard, off


def _late_materials(board: Board, named: _Named, flags: list[SupervisionFlag]) -> list[dict]:
    """Deferred materials of unfinished cases past due, then those the sweep flagged before."""
    rows = [
        named(m.case_id, material=m.name, due=m.due_on)
        for m in CaseMaterial.objects.filter(
            case__in=[c.pk for c in board.cases],
            status=MaterialStatus.DEFERRED,
            due_on__lt=board.today,
        ).order_by("due_on", "pk")
    ]
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
