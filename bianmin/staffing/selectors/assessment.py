"""Reads of assessments and subsidies: lists in scope, the cases behind every figure, the
finance export."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from bianmin.cases.models import Case, FlagKind
from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.scope import scope_for

from ..access import staff_of
from ..models import Assessment, SubsidyPlan


def assessment_list(*, viewer, start=None, end=None):
    qs = Assessment.objects.filter(scope_for(viewer).units_q("unit")).select_related(
        "staff", "unit"
    )
    if start:
        qs = qs.filter(period_start=start)
    if end:
        qs = qs.filter(period_end=end)
    return qs.order_by("-period_end", "unit__region__code", "staff__full_name")


def assessment_get(*, viewer, pk: int) -> Assessment:
    a = (
        Assessment.objects.select_related("staff__user", "unit", "adjusted_by")
        .filter(pk=pk)
        .first()
    )
    if a is None:
        raise NotFound(_("考核记录不存在"))
    if staff_of(viewer) == a.staff or assessment_list(viewer=viewer).filter(pk=pk).exists():
        return a
    raise PermissionDenied(_("无权查看该考核记录"))


@dataclass(frozen=True)
class CaseFact:
    case: Case
    concluded: bool
    late: bool
    notice_flags: int
    rating: float | None  # the mean of the case's ratings, to one decimal


def assessment_cases(*, assessment: Assessment) -> list[CaseFact]:
    """The cases behind an assessment's figures, each with what it contributed."""
    late = set(assessment.metrics.get("late_ids", []))
    cases = (
        Case.objects.filter(pk__in=assessment.case_ids)
        .select_related("item_version")
        .prefetch_related("flags", "ratings")
        .order_by("submitted_on", "pk")
    )
    out = []
    for c in cases:
        ratings = [
            r.level
            for r in c.ratings.all()
            if not r.removed and r.kind == "initial" and r.staff_user_id == assessment.staff.user_id
        ]
        out.append(
            CaseFact(
                c,
                c.concluded_on is not None,
                c.pk in late,
                sum(1 for f in c.flags.all() if f.kind == FlagKind.REPEATED_NOTICE),
                round(sum(ratings) / len(ratings), 1) if ratings else None,
            )
        )
    return out


def sees_subsidies(viewer, region_code: str) -> bool:
    """Whether `viewer` may see the agent subsidy plan of the county `region_code`.

    Village agents are paid by the county on the township's and the county centre's assessment
    (DESIGN.md: staffing owns assessment and subsidy; the administrator keeps assessments; the
    supervisor watches the county's public money). So county-wide scopes only: administrators,
    supervisors and the county centre. A county department reads the region tree to route cases,
    not to see what each agent is paid; a township sees only its own part of the county."""
    scope = scope_for(viewer)
    return scope.kind in ("all", "jurisdiction") and scope.can_see_region(region_code)


def subsidy_plans(*, viewer) -> list[SubsidyPlan]:
    """The subsidy plans `viewer` may see (`sees_subsidies`), newest year first."""
    plans = SubsidyPlan.objects.select_related("region").order_by("-year", "region__code")
    return [p for p in plans if sees_subsidies(viewer, p.region.code)]


def subsidy_get(*, viewer, pk: int) -> SubsidyPlan:
    plan = SubsidyPlan.objects.select_related("region").filter(pk=pk).first()
    if plan is None:
        raise NotFound(_("补助方案不存在"))
    if not sees_subsidies(viewer, plan.region.code):
        raise PermissionDenied(_("无权查看该补助方案"))
    return plan


__all__ = [
    "assessment_cases",
    "assessment_get",
    "assessment_list",
    "sees_subsidies",
    "subsidy_get",
    "subsidy_plans",
]
