"""Assessment and subsidy (绩效考核/补助) of village agents and window staff.

Every figure comes from rows another app wrote: cases the person took in (first responder) in
the period, their conclusion against the due date, one-time-notice flags, ratings, complaints,
attendance, and training attended (information only: RULES.md "Training" makes training a duty of
the organisers, not a quota per person). The assessment keeps the raw counts and the case ids, so each figure can
be traced back to the cases behind it.
"""

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.models import Case, FlagKind, SupervisionFlag
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.models import Region, RoleCode, Staff
from bianmin.orgs.scope import scope_for
from bianmin.ratings.models import Rating
from bianmin.supervision.selectors import complaints_upheld
from bianmin.workdays.calendar import snapshot

from ..access import is_head_for, may_allocate_subsidy, may_assess
from ..models import (
    Assessment,
    AssessmentScheme,
    Attendance,
    Grade,
    LeaveRequest,
    LeaveStatus,
    SubsidyLine,
    SubsidyPlan,
    TrainingAttendance,
)

ASSESSED_ROLES = (RoleCode.AGENT, RoleCode.WINDOW_STAFF)
COMPONENTS = ("cases", "on_time", "notice", "rating", "complaints", "attendance")
DEFAULT_SCHEME = {
    "weights": {
        "cases": 20,
        "on_time": 25,
        "notice": 10,
        "rating": 15,
        "complaints": 10,
        "attendance": 10,
    },
    "bands": [[90, Grade.EXCELLENT], [80, Grade.GOOD], [60, Grade.PASS]],
    "case_target": 20,
    "grade_factors": {Grade.EXCELLENT: 1.2, Grade.GOOD: 1.0, Grade.PASS: 0.8, Grade.FAIL: 0},
    "base_points": 10,
}
# Per upheld complaint (属实 / 部分属实), a quarter of the component.
COMPLAINT_PENALTY = Decimal("0.25")
DEFAULT_SUBSIDY_PER_AGENT = Decimal("20000")
MAX_ADJUSTMENT = Decimal("10")
CENT = Decimal("0.01")


def scheme_current() -> dict:
    row = AssessmentScheme.objects.filter(active=True).first()
    if row is None:
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_SCHEME.items()}
    return {
        "weights": row.weights,
        "bands": row.bands,
        "case_target": row.case_target,
        "grade_factors": row.grade_factors,
        "base_points": row.base_points,
    }


def grade_for(score: Decimal, bands) -> str:
    for floor, grade in bands:
        if score >= Decimal(str(floor)):
            return grade
    return Grade.FAIL


def _ratio(num: int, den: int) -> Decimal:
    """num/den as a Decimal in 0..1 (den 0: nothing was asked, so nothing is missing)."""
    if den <= 0:
        return Decimal(1)
    return min(Decimal(1), Decimal(num) / Decimal(den))


def assessment_metrics(*, staff: Staff, start: dt.date, end: dt.date, scheme: dict) -> dict:
    """The raw counts of one person's period, and the case ids behind them."""
    user = staff.user
    cases = list(
        Case.objects.filter(first_responder=user, submitted_on__gte=start, submitted_on__lte=end)
        .order_by("pk")
        .values("pk", "channel", "concluded_on", "promised_due", "proxy_due")
    )
    ids = [c["pk"] for c in cases]
    concluded = [c for c in cases if c["concluded_on"] is not None]
    # Errands (便民服务) are not cases (`Case.objects` leaves them out); those handed over in the
    # period count toward the volume component and the subsidy points beside the cases.
    errand_ids = list(
        Case.errands.filter(
            first_responder=user,
            state="handed_over",
            closed_on__gte=start,
            closed_on__lte=end,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def due(c):  # the proxy limit applies to proxied cases (county proxy rule), else promised
        return (c["proxy_due"] if c["channel"] == "proxy" else None) or c["promised_due"]

    late = [c["pk"] for c in concluded if due(c) is not None and c["concluded_on"] > due(c)]
    notice_flags = SupervisionFlag.objects.filter(
        case_id__in=ids, kind=FlagKind.REPEATED_NOTICE
    ).count()
    ratings = list(
        Rating.objects.filter(
            staff_user=user,
            removed=False,
            kind="initial",
            case__submitted_on__gte=start,
            case__submitted_on__lte=end,
        ).values_list("level", flat=True)
    )
    # Only complaints found true count (RULES.md "Supervision"); the evidence says which rule
    # was applied, as older assessments counted every complaint filed.
    complaints = (
        complaints_upheld().filter(staff=staff, filed_on__gte=start, filed_on__lte=end).count()
    )
    complaint_rule = "upheld"
    snap = snapshot()
    last = min(end, timezone.localdate())
    workdays = [
        start + dt.timedelta(days=i)
        for i in range((last - start).days + 1)
        if snap.is_workday(start + dt.timedelta(days=i))
    ]
    leaves = list(
        LeaveRequest.objects.filter(
            staff=staff, status=LeaveStatus.APPROVED, start__lte=end, end__gte=start
        )
    )
    leave_days = [
        d
        for d in workdays
        if any(
            lv.start <= d <= lv.end and (lv.returned_on is None or d < lv.returned_on)
            for lv in leaves
        )
    ]
    present = Attendance.objects.filter(staff=staff, day__in=workdays).count()
    trainings = TrainingAttendance.objects.filter(
        staff=staff, session__date__gte=start, session__date__lte=end
    ).count()
    return {
        "cases": len(ids),
        "concluded": len(concluded),
        "late": len(late),
        "late_ids": late,
        "notice_flags": notice_flags,
        "ratings": len(ratings),
        "rating_sum": sum(ratings),
        "complaints": complaints,
        "complaint_rule": complaint_rule,
        "workdays": len(workdays),
        "leave_days": len(leave_days),
        "present": present,
        "trainings": trainings,
        "case_target": scheme["case_target"],
        "case_ids": ids,
        "errands": len(errand_ids),
        "errand_ids": errand_ids,
    }


def assessment_components(m: dict) -> dict[str, Decimal | None]:
    """Each component in 0..1 from the raw counts; None where there is no evidence (no case
    concluded, no rating...), and such a component drops out of the score
    rather than counting as full or zero marks. Case volume and complaints always count."""
    expected_days = m["workdays"] - m["leave_days"]
    return {
        "cases": _ratio(m["cases"] + m.get("errands", 0), m["case_target"]),
        "on_time": _ratio(m["concluded"] - m["late"], m["concluded"]) if m["concluded"] else None,
        "notice": max(Decimal(0), Decimal(1) - _ratio(m["notice_flags"], m["cases"]))
        if m["cases"]
        else None,
        "rating": Decimal(m["rating_sum"]) / Decimal(5 * m["ratings"]) if m["ratings"] else None,
        "complaints": max(Decimal(0), Decimal(1) - COMPLAINT_PENALTY * m["complaints"]),
        "attendance": _ratio(m["present"], expected_days) if expected_days > 0 else None,
    }


def assessment_score(components: dict[str, Decimal | None], weights: dict) -> Decimal:
    """100 x the weighted mean of the components that have evidence, to the cent."""
    used = {k: v for k in COMPONENTS if (v := components[k]) is not None}
    total = sum((Decimal(str(weights.get(k, 0))) for k in used), Decimal(0))
    if total <= 0:
        raise ValidationFailed(_("考核权重之和须大于0"), field="weights")
    raw = sum((Decimal(str(weights.get(k, 0))) * v for k, v in used.items()), Decimal(0))
    return (Decimal(100) * raw / total).quantize(CENT, rounding=ROUND_HALF_UP)


def _require_assessor(actor) -> None:
    if not may_assess(actor):
        raise PermissionDenied(_("只有单位负责人或管理员可以组织考核"))


@transaction.atomic
def assessment_run(*, actor, start: dt.date, end: dt.date) -> list[Assessment]:
    """Assess every village agent and window staff member in the actor's scope for the period.

    Scores follow the active scheme (weights, grade bands); running again recomputes the figures
    and keeps a head's documented adjustment.
    """
    _require_assessor(actor)
    if start is None or end is None or end < start:
        raise ValidationFailed(_("考核期起止日期无效"), field="end")
    scheme = scheme_current()
    scope = scope_for(actor)
    people = [
        s
        for s in Staff.objects.filter(scope.units_q("unit"), user__is_active=True)
        .select_related("user", "unit__parent", "unit__region")
        .order_by("unit__region__code", "full_name")
        if s.has_role(*ASSESSED_ROLES)
    ]
    out = []
    for staff in people:
        metrics = assessment_metrics(staff=staff, start=start, end=end, scheme=scheme)
        comps = assessment_components(metrics)
        score = assessment_score(comps, scheme["weights"])
        row = Assessment.objects.filter(staff=staff, period_start=start, period_end=end).first()
        adj = row.adjustment if row else Decimal(0)
        final = max(Decimal(0), min(Decimal(100), score + adj))
        fields = {
            "unit": staff.unit,
            "scheme": scheme,
            "metrics": metrics,
            "components": {
                k: None if v is None else str(v.quantize(Decimal("0.0001")))
                for k, v in comps.items()
            },
            "case_ids": metrics["case_ids"],
            "score": score,
            "final_score": final,
            "grade": grade_for(final, scheme["bands"]),
            "computed_by": actor,
        }
        row, _c = Assessment.objects.update_or_create(
            staff=staff, period_start=start, period_end=end, defaults=fields
        )
        out.append(row)
    return out


@transaction.atomic
def assessment_adjust(*, assessment: Assessment, points, reason: str, actor) -> Assessment:
    """The unit head's documented adjustment (at most ±10 points, with a reason); regrades."""
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    if not (actor.is_superuser or is_head_for(actor, assessment.unit)):
        raise PermissionDenied(_("只有被考核人所在单位负责人可以调整得分"))
    try:
        points = Decimal(str(points)).quantize(CENT)
    except ArithmeticError:
        raise ValidationFailed(_("调整分值应为数字"), field="points") from None
    if abs(points) > MAX_ADJUSTMENT:
        raise ValidationFailed(_("调整幅度不能超过±10分"), field="points")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("调整得分须写明理由"), field="reason")
    assessment.adjustment, assessment.adjustment_reason = points, reason
    assessment.adjusted_by = actor
    assessment.final_score = max(Decimal(0), min(Decimal(100), assessment.score + points))
    assessment.grade = grade_for(assessment.final_score, assessment.scheme["bands"])
    assessment.save()
    return assessment


def allocate(budget: Decimal, points: list[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """Split `budget` in proportion to points, to the fen, summing exactly to the budget.

    Each share is rounded down to the fen; the fen left over go one each to the largest
    remainders, ties to the lower key, so the same input always gives the same split.
    """
    total = sum(p for _k, p in points)
    fen = int((budget / CENT).to_integral_value(rounding=ROUND_DOWN))
    if total <= 0:
        raise ValidationFailed(_("没有可分配补助的代办员（分值合计为0）"), field="budget")
    floors: dict[int, int] = {}
    remainders: dict[int, Decimal] = {}
    for key, p in points:
        exact = Decimal(fen) * p / total
        floors[key] = int(exact.to_integral_value(rounding=ROUND_DOWN))
        remainders[key] = exact - floors[key]
    left = fen - sum(floors.values())
    for key in sorted(remainders, key=lambda k: (-remainders[k], k))[:left]:
        floors[key] += 1
    return {key: Decimal(f) * CENT for key, f in floors.items()}


@transaction.atomic
def subsidy_allocate(
    *, actor, county: Region, year: int, budget: Decimal | None = None
) -> SubsidyPlan:
    """Share the county's annual agent subsidy (default 20,000 yuan per agent) by grade and
    case count: points = grade factor x (base points + cases + errands handed over); amounts to
    the fen sum exactly to the budget. Uses each agent's latest assessment whose period starts in `year`."""
    if not may_allocate_subsidy(actor):
        raise PermissionDenied(_("只有管理员可以分配补助"))
    if not may_allocate_subsidy(actor, county):
        raise PermissionDenied(_("无权分配该县(区)的补助"))
    scheme = scheme_current()
    latest: dict[int, Assessment] = {}
    for a in (
        Assessment.objects.filter(
            period_start__year=year, unit__region__code__startswith=county.prefix
        )
        .select_related("staff")
        .order_by("period_end", "pk")
    ):
        if a.staff.has_role(RoleCode.AGENT):
            latest[a.staff_id] = a
    if not latest:
        raise ValidationFailed(_("该年度尚无代办员考核结果"), field="year")
    if budget is None:
        budget = DEFAULT_SUBSIDY_PER_AGENT * len(latest)
    budget = Decimal(str(budget)).quantize(CENT)
    if budget <= 0:
        raise ValidationFailed(_("预算须大于0"), field="budget")
    factors = scheme["grade_factors"]
    base = Decimal(scheme["base_points"])
    points = {
        sid: (
            Decimal(str(factors.get(a.grade, 0)))
            * (base + a.metrics["cases"] + a.metrics.get("errands", 0))
        ).quantize(CENT)
        for sid, a in latest.items()
    }
    amounts = allocate(budget, sorted(points.items()))
    plan = SubsidyPlan.objects.filter(region=county, year=year).first()
    if plan is None:
        plan = SubsidyPlan.objects.create(region=county, year=year, budget=budget, created_by=actor)
    else:
        plan.budget, plan.created_by = budget, actor
        plan.save()
        plan.lines.all().delete()
    SubsidyLine.objects.bulk_create(
        SubsidyLine(
            plan=plan,
            staff=a.staff,
            assessment=a,
            grade=a.grade,
            cases=a.metrics["cases"],
            points=points[sid],
            amount=amounts[sid],
        )
        for sid, a in latest.items()
    )
    return plan
