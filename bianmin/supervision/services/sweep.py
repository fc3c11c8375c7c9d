"""The supervision sweep: every clock of every open case and complaint, once a working day."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.models import Case, Step
from bianmin.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from bianmin.workdays import calendar

from .. import clocks
from ..clocks import RED, YELLOW, ClockState
from ..models import (
    Alert,
    Complaint,
    ComplaintStatus,
    Escalation,
    EscalationAction,
    EscalationRule,
    Level,
)
from .notify import (
    heads_of,
    heads_or_above,
    higher_unit,
    notify,
    supervisors_over,
    users_with_roles,
)

logger = logging.getLogger("bianmin.supervision")


@dataclass
class SweepResult:
    today: dt.date
    skipped: bool = False  # not a working day: nothing checked, nothing sent
    checked: int = 0
    alerts: list[Alert] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    notifications: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (case/complaint number, error)

    def summary(self) -> str:
        if self.skipped:
            return _("%(d)s 不是工作日，未执行监察扫描") % {"d": self.today}
        return _(
            "%(d)s：检查 %(c)s 件，新预警 %(a)s 条（黄牌 %(y)s，红牌 %(r)s），升级 %(e)s 件，"
            "通知 %(n)s 条，出错 %(x)s 件"
        ) % {
            "d": self.today,
            "c": self.checked,
            "a": len(self.alerts),
            "y": sum(a.level == Level.YELLOW for a in self.alerts),
            "r": sum(a.level == Level.RED for a in self.alerts),
            "e": len(self.escalations),
            "n": self.notifications,
            "x": len(self.errors),
        }


def _text(*, what: str, state: ClockState) -> str:
    if state.colour == RED:
        return _("【超时】%(w)s%(c)s已于 %(d)s 到期，已超 %(n)s 个工作日") % {
            "w": what,
            "c": state.label,
            "d": state.due,
            "n": state.over,
        }
    return _("【预警】%(w)s%(c)s将于 %(d)s 到期，剩余 %(n)s 个工作日") % {
        "w": what,
        "c": state.label,
        "d": state.due,
        "n": state.left,
    }


def _record(*, state: ClockState, today, unit, text, case=None, complaint=None):
    """The alert for this transition, created once; (alert, created)."""
    level = Level.RED if state.colour == RED else Level.YELLOW
    key = {"subject": state.subject, "clock": state.clock, "level": level, "due_on": state.due}
    existing = Alert.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                **key,
                case=case,
                complaint=complaint,
                unit=unit,
                limit_days=state.limit,
                days_left=state.left,
                detail=text[:300],
                raised_on=today,
            )
    except IntegrityError:  # a concurrent sweep recorded it first
        return Alert.objects.get(**key), False
    return alert, True


def _rule_matches(rule: EscalationRule, *, state: ClockState, item_id, case_state) -> bool:
    return (
        (rule.item_id is None or rule.item_id == item_id)
        and (not rule.case_state or rule.case_state == case_state)
        and (not rule.clock or rule.clock == state.clock)
        and state.over >= rule.days_over
    )


def _escalate(*, alert, state, rules, item_id, case_state, region_code, link, what, today, result):
    for rule in rules:
        if not _rule_matches(rule, state=state, item_id=item_id, case_state=case_state):
            continue
        if Escalation.objects.filter(alert=alert, rule=rule).exists():
            continue
        target = higher_unit(alert.unit) if rule.action == EscalationAction.NOTIFY_HIGHER else None
        row = Escalation.objects.create(
            alert=alert,
            rule=rule,
            action=rule.action,
            target_unit=target,
            escalated_on=today,
        )
        if not alert.escalated:
            alert.escalated = True
            alert.save(update_fields=["escalated"])
        if rule.action == EscalationAction.NOTIFY_HIGHER:
            users = users_with_roles([target], "head", "supervisor") if target else []
            text = _("【升级】%(w)s超时 %(n)s 个工作日，请%(u)s督促办理") % {
                "w": what,
                "n": state.over,
                "u": target.name if target else "",
            }
        else:
            users = supervisors_over(region_code)
            text = _("【督办】%(w)s超时 %(n)s 个工作日，已移交监察督办") % {
                "w": what,
                "n": state.over,
            }
        result.notifications += len(notify(users=users, text=text, link=link))
        result.escalations.append(row)


def _case_clocks(case, *, today, thresholds, snap) -> list[ClockState]:
    threshold = thresholds.get(case.item_version.item_id) or clocks.default_threshold()
    return clocks.case_clocks(case, today=today, threshold=threshold, snap=snap)


def _sweep_case(case, *, today, thresholds, rules, snap, result) -> None:
    link = f"/cases/{case.number}/"
    what = _("办件 %(n)s（%(i)s）") % {"n": case.number, "i": case.item_version.name}
    for state in _case_clocks(case, today=today, thresholds=thresholds, snap=snap):
        if state.colour not in (YELLOW, RED):
            continue
        text = _text(what=what, state=state)
        alert, created = _record(
            state=state, today=today, unit=case.current_unit, text=text, case=case
        )
        if created:
            owners = [case.assigned_to, case.first_responder, *heads_of(case.current_unit)]
            result.notifications += len(notify(users=owners, text=text, link=link, alert=alert))
            result.alerts.append(alert)
        if state.colour == RED and rules:
            _escalate(
                alert=alert,
                state=state,
                rules=rules,
                item_id=case.item_version.item_id,
                case_state=case.state,
                region_code=case.region.code,
                link=link,
                what=what,
                today=today,
                result=result,
            )


def _sweep_complaint(complaint, *, today, rules, snap, result) -> None:
    from django.urls import reverse

    link = reverse("supervision:complaint_detail", args=[complaint.number])
    what = _("投诉 %(n)s") % {"n": complaint.number}
    for state in clocks.complaint_clocks(complaint, today=today, snap=snap):
        if state.colour not in (YELLOW, RED):
            continue
        text = _text(what=what, state=state)
        alert, created = _record(
            state=state, today=today, unit=complaint.unit, text=text, complaint=complaint
        )
        if created:
            result.notifications += len(
                notify(users=heads_or_above(complaint.unit), text=text, link=link, alert=alert)
            )
            result.alerts.append(alert)
        if state.colour == RED and rules:
            _escalate(
                alert=alert,
                state=state,
                rules=[r for r in rules if not r.case_state],
                item_id=complaint.item_id,
                case_state="",
                region_code=complaint.unit.region.code,
                link=link,
                what=what,
                today=today,
                result=result,
            )


def supervision_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Check every clock of every open case and complaint on `today` (RULES.md "Supervision").

    Each transition of a clock into yellow or red is recorded once (unique per subject, clock,
    level and deadline) and notified once to the case owner (the assigned user and the first
    responder) and the head of the unit holding it; a complaint's to the head of its unit (or,
    for a village station, of its township centre). Red
    alerts are escalated by the matching `EscalationRule`s once each. Nothing is checked or sent
    on a non-working day: warnings wait for the next working day. Each case runs in its own
    transaction, so one failing case is logged and reported and the sweep goes on.
    """
    today = today or timezone.localdate()
    result = SweepResult(today=today)
    snap = calendar.snapshot()
    if not snap.is_workday(today):
        result.skipped = True
        return result
    thresholds = clocks.thresholds_by_item()
    rules = list(EscalationRule.objects.filter(is_active=True))
    cases = (
        Case.objects.filter(state__in=clocks.UNFINISHED_STATES)
        .select_related(
            "item_version",
            "current_unit__parent",
            "region",
            "first_responder",
            "assigned_to",
        )
        .prefetch_related(
            "pauses", "materials", Prefetch("steps", queryset=Step.objects.order_by("position"))
        )
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=200):
        result.checked += 1
        try:
            with transaction.atomic():
                _sweep_case(
                    case, today=today, thresholds=thresholds, rules=rules, snap=snap, result=result
                )
        except Exception as exc:  # noqa: BLE001 - isolation: report and go on
            logger.exception("supervision sweep failed for case %s", case.number)
            result.errors.append((case.number, f"{type(exc).__name__}: {exc}"))
    complaints = (
        Complaint.objects.exclude(status=ComplaintStatus.REPLIED)
        .select_related("unit__region", "unit__parent")
        .order_by("pk")
    )
    for complaint in complaints.iterator(chunk_size=200):
        result.checked += 1
        try:
            with transaction.atomic():
                _sweep_complaint(complaint, today=today, rules=rules, snap=snap, result=result)
        except Exception as exc:  # noqa: BLE001
            logger.exception("supervision sweep failed for complaint %s", complaint.number)
            result.errors.append((complaint.number, f"{type(exc).__name__}: {exc}"))
    return result


@transaction.atomic
def escalation_resolve(*, actor, pk: int, note: str) -> Escalation:
    """A supervisor closes an item of the supervision queue with a written note."""
    from ..selectors import escalations_visible

    row = escalations_visible(viewer=actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("督办事项不存在"))
    staff = getattr(actor, "staff", None)
    if not (actor.is_superuser or (staff and staff.has_role("supervisor"))):
        raise PermissionDenied(_("只有监察人员可以办结督办事项"))
    if row.resolved:
        raise Conflict(_("该督办事项已办结"), code="resolved")
    if not (note or "").strip():
        raise ValidationFailed(_("请填写督办意见"), field="note")
    row.resolved, row.resolved_by, row.resolved_note = True, actor, note.strip()
    row.save(update_fields=["resolved", "resolved_by", "resolved_note"])
    return row
