"""The irregularities found on a case itself (RULES.md "Supervision"): refused without reasons,
deemed accepted (neither accepted nor noticed within 5 working days), charged off the published
fee, noticed more than once. Once a case is settled none of these change, so a closed month's are
stored with its figures (`settled`) and a board looks for them only among its live cases; the
lists themselves are built in `irregularities`."""

from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet, Sum

from bianmin.cases.models import Case, OneTimeNotice, State
from bianmin.catalog.models import Fee

NO_FEE = Decimal("0.00")
NO_REASONS, DEEMED, FEES_OFF, REPEATED_NOTICES = "no_reasons", "deemed", "fees_off", "repeated"


class Irregular(NamedTuple):
    kind: str
    case_id: int
    region_code: str
    value: int  # notices given (repeated notices), the item version (fees off), else 0


def fee_standards() -> dict[int, Decimal]:
    """{item version: the total of its published fees}; a version without fees charges none."""
    return dict(
        Fee.objects.order_by()
        .values("version")
        .annotate(total=Sum("amount"))
        .values_list("version", "total")
    )


def irregular_cases(cases: QuerySet[Case], standard: dict[int, Decimal]) -> list[Irregular]:
    """The irregularities of `cases` found on each case, by case."""
    # One filtered read names the cases of the first three kinds, no DISTINCT over every case.
    fee_on = Q(fee_total=NO_FEE) & ~Q(item_version_id__in=list(standard))
    for version, total in standard.items():
        fee_on |= Q(item_version_id=version, fee_total=total)
    no_reasons = (Q(state=State.DECLINED) | Q(approved=False)) & Q(reasons="")
    out = []
    for pk, code, state, approved, reasons, deemed, fee, version in (
        cases.filter(no_reasons | Q(deemed_accepted=True) | ~fee_on)
        .order_by("pk")
        .values_list(
            "pk",
            "region__code",
            "state",
            "approved",
            "reasons",
            "deemed_accepted",
            "fee_total",
            "item_version_id",
        )
    ):
        if reasons == "" and (state == State.DECLINED or approved is False):
            out.append(Irregular(NO_REASONS, pk, code, 0))
        if deemed:
            out.append(Irregular(DEEMED, pk, code, 0))
        if version is not None and fee != standard.get(version, NO_FEE):
            out.append(Irregular(FEES_OFF, pk, code, version))
    # The cases noticed more than once, found among all notices (an index read, few cases), then
    # kept if they are among `cases`: not every notice of `cases` grouped.
    per_case = OneTimeNotice.objects.order_by().values("case").annotate(n=Count("pk"))
    repeated = dict(
        cases.filter(pk__in=per_case.filter(n__gt=1).values("case")).values_list(
            "pk", "region__code"
        )
    )
    out.extend(
        Irregular(REPEATED_NOTICES, pk, repeated[pk], n)
        for pk, n in per_case.filter(case__in=list(repeated)).values_list("case", "n")
    )
    return out
