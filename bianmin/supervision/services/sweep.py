"""The supervision sweep: every clock of every open case and complaint, once a working day.

At county scale (thousands of open cases, two thousand new alerts on a bad day) the sweep reads
in a fixed number of queries and writes in batches: the open cases with the rows their clocks
read, the units, the staff and the alerts already recorded are loaded once; the clocks are
computed case by case (a case that fails is logged, reported and skipped); the new alerts, their
notifications and the oversight orders (督办) are then inserted a batch of cases at a time, one bulk insert
per table. A batch that fails (a concurrent sweep recorded one of its alerts first, a broken
row) is rolled back and written again one case at a time, so one bad case is reported and the
others are kept, as when every case ran in its own transaction.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.models import Case
from bianmin.common.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ValidationFailed
from bianmin.workdays import calendar

from .. import clocks
from ..models import (
    Alert,
    Complaint,
    ComplaintStatus,
    Level,
    Notification,
    OversightAction,
    OversightOrder,
    OversightRule,
)
from .notify import higher_unit
from .sweep_hits import (
    Directory,
    Hit,
    Subject,
    case_hits,
    complaint_hits,
    distinct,
    open_case_rows,
    rule_matches,
)

logger = logging.getLogger("bianmin.supervision")

# Cases (or complaints) with a yellow or red clock written per transaction: a few bulk inserts
# each, so the number of queries does not grow with the open cases below this many.
WRITE_BATCH = 1000


@dataclass
class SweepResult:
    today: dt.date
    skipped: bool = False  # not a working day: nothing checked, nothing sent
    checked: int = 0
    alerts: list[Alert] = field(default_factory=list)
    oversight_orders: list[OversightOrder] = field(default_factory=list)
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
            "e": len(self.oversight_orders),
            "n": self.notifications,
            "x": len(self.errors),
        }


# --- what is already recorded ------------------------------------------------------------------


AlertKey = tuple[str, str, str, dt.date]


@dataclass
class _Known:
    """The alerts (by their unique key) and oversight orders (alert id, rule id) already recorded."""

    alerts: dict[AlertKey, Alert] = field(default_factory=dict)
    ordered: set[tuple[int, int]] = field(default_factory=set)

    def add_alerts(self, rows: QuerySet[Alert]) -> None:
        for subject, clock, level, due_on, pk, unit_id, ordered in rows.values_list(
            "subject", "clock", "level", "due_on", "pk", "unit_id", "oversight_ordered"
        ):
            self.alerts[(subject, clock, level, due_on)] = Alert(
                pk=pk,
                subject=subject,
                clock=clock,
                level=level,
                due_on=due_on,
                unit_id=unit_id,
                oversight_ordered=ordered,
            )

    def add_orders(self, rows: QuerySet[OversightOrder]) -> None:
        self.ordered.update(rows.values_list("alert_id", "rule_id"))

    @classmethod
    def of_open(cls, *, with_orders: bool) -> "_Known":
        """What is recorded for the unfinished cases and the open complaints: one query each."""
        known = cls()
        cases = Case.objects.filter(state__in=clocks.UNFINISHED_STATES).order_by().values("pk")
        complaints = (
            Complaint.objects.exclude(status=ComplaintStatus.REPLIED).order_by().values("pk")
        )
        known.add_alerts(Alert.objects.filter(case_id__in=cases).order_by())
        known.add_alerts(Alert.objects.filter(complaint_id__in=complaints).order_by())
        if with_orders:
            known.add_orders(OversightOrder.objects.filter(alert__case_id__in=cases).order_by())
            known.add_orders(
                OversightOrder.objects.filter(alert__complaint_id__in=complaints).order_by()
            )
        return known

    def refresh(self, hits: list[Hit]) -> None:
        """Read again what is recorded for these clocks (another sweep may have written them)."""
        keys = Q()
        for hit in hits:
            subject, clock, level, due_on = hit.key
            keys |= Q(subject=subject, clock=clock, level=level, due_on=due_on)
        self.add_alerts(Alert.objects.filter(keys).order_by())
        ids = [a.pk for k, a in self.alerts.items() if k in {h.key for h in hits}]
        self.add_orders(OversightOrder.objects.filter(alert_id__in=ids).order_by())


# --- writing -----------------------------------------------------------------------------------


@dataclass
class _Written:
    alerts: list[Alert] = field(default_factory=list)
    oversight_orders: list[OversightOrder] = field(default_factory=list)
    notifications: int = 0
    keys: dict[AlertKey, Alert] = field(default_factory=dict)
    ordered: set[tuple[int, int]] = field(default_factory=set)


def _insert(objs: list) -> None:
    if not objs:
        return
    if connection.features.can_return_rows_from_bulk_insert:
        type(objs[0]).objects.bulk_create(objs)
    else:  # pragma: no cover - SQLite and PostgreSQL return the new keys
        for obj in objs:
            obj.save(force_insert=True)


def _write(subjects: list[Subject], *, today, known: _Known, directory) -> _Written:
    """Record the alerts of `subjects` not yet recorded, notify them and order oversight of the red ones
    by the matching rules once each: the rule of the former one-case-at-a-time sweep, in its
    order, with one insert per table."""
    out = _Written()
    plan: list[tuple[Hit, Alert, bool]] = []
    for subject in subjects:
        for hit in subject.hits:
            alert = out.keys.get(hit.key) or known.alerts.get(hit.key)
            created = alert is None
            if alert is None:
                state = hit.state
                alert = Alert(
                    subject=state.subject,
                    clock=state.clock,
                    level=hit.level,
                    due_on=state.due,
                    case_id=hit.case_id,
                    complaint=hit.complaint,
                    unit=hit.unit,
                    limit_days=state.limit,
                    days_left=state.left,
                    detail=hit.text[:300],
                    raised_on=today,
                )
                out.keys[hit.key] = alert
                out.alerts.append(alert)
            plan.append((hit, alert, created))
    _insert(out.alerts)

    through = Alert.notified.through
    notifications: list[Notification] = []
    notified: list[Any] = []
    marked: list[int] = []
    for hit, alert, created in plan:
        if created:
            users = distinct(hit.owners)
            notifications += [
                Notification(recipient_id=u, text=hit.text[:500], link=hit.link, alert=alert)
                for u in users
            ]
            notified += [through(alert_id=alert.pk, user_id=u) for u in users]
            out.notifications += len(users)
        esc = hit.oversight
        if esc is None:
            continue
        for rule in esc.rules:
            if not rule_matches(
                rule, state=hit.state, item_id=esc.item_id, case_state=esc.case_state
            ):
                continue
            pair = (alert.pk, rule.pk)
            if pair in known.ordered or pair in out.ordered:
                continue
            out.ordered.add(pair)
            unit = directory.units[alert.unit_id]
            target = higher_unit(unit) if rule.action == OversightAction.NOTIFY_HIGHER else None
            out.oversight_orders.append(
                OversightOrder(
                    alert=alert,
                    rule=rule,
                    action=rule.action,
                    target_unit=target,
                    ordered_on=today,
                )
            )
            if not alert.oversight_ordered:
                alert.oversight_ordered = True
                marked.append(alert.pk)
            if rule.action == OversightAction.NOTIFY_HIGHER:
                users = directory.users_with_roles([target], "head", "supervisor") if target else []
                text = _("【升级】%(w)s超时 %(n)s 个工作日，请%(u)s督促办理") % {
                    "w": esc.what,
                    "n": hit.state.over,
                    "u": target.name if target else "",
                }
            else:
                users = directory.supervisors_over(esc.region_code)
                text = _("【督办】%(w)s超时 %(n)s 个工作日，已移交监察督办") % {
                    "w": esc.what,
                    "n": hit.state.over,
                }
            users = distinct(users)
            notifications += [
                Notification(recipient_id=u, text=text[:500], link=esc.link) for u in users
            ]
            out.notifications += len(users)
    _insert(out.oversight_orders)
    if marked:
        Alert.objects.filter(pk__in=marked).update(oversight_ordered=True)
    Notification.objects.bulk_create(notifications)
    through.objects.bulk_create(notified)
    return out


def _record(out: _Written, *, known: _Known, result: SweepResult) -> None:
    known.alerts.update(out.keys)
    known.ordered |= out.ordered
    result.alerts += out.alerts
    result.oversight_orders += out.oversight_orders
    result.notifications += out.notifications


def _write_all(subjects, *, today, known, directory, result, errors) -> None:
    """Write `subjects` a batch at a time; a failing batch again one subject at a time, so that
    only the subject that fails is lost (and reported)."""
    subjects = [s for s in subjects if s.hits]
    for start in range(0, len(subjects), WRITE_BATCH):
        batch = subjects[start : start + WRITE_BATCH]
        try:
            with transaction.atomic():
                out = _write(batch, today=today, known=known, directory=directory)
        except Exception:  # noqa: BLE001 - isolation: retry one by one below
            logger.warning("supervision sweep: a batch failed, writing it case by case")
        else:
            _record(out, known=known, result=result)
            continue
        for subject in batch:
            try:
                with transaction.atomic():
                    known.refresh(subject.hits)
                    out = _write([subject], today=today, known=known, directory=directory)
            except Exception as exc:  # noqa: BLE001 - isolation: report and go on
                logger.exception("supervision sweep failed for %s", subject.number)
                errors.append((subject.seq, subject.number, f"{type(exc).__name__}: {exc}"))
            else:
                _record(out, known=known, result=result)


def supervision_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Check every clock of every open case and complaint on `today` (RULES.md "Supervision").

    Each transition of a clock into yellow or red is recorded once (unique per subject, clock,
    level and deadline) and notified once to the case owner (the assigned user and the first
    responder) and the head of the unit holding it; a complaint's to the head of its unit (or,
    for a village station, of its township centre). Red
    alerts are passed to oversight by the matching `OversightRule`s once each. Nothing is checked or sent
    on a non-working day: warnings wait for the next working day. One failing case (its clocks
    or its writes) is logged and reported and the sweep goes on; the others are recorded.
    """
    today = today or timezone.localdate()
    result = SweepResult(today=today)
    snap = calendar.snapshot()
    if not snap.is_workday(today):
        result.skipped = True
        return result
    thresholds = clocks.thresholds_by_item()
    rules = list(OversightRule.objects.filter(is_active=True))
    directory = Directory()
    subjects: list[Subject] = []
    errors: list[tuple[int, str, str]] = []
    seq = 0
    for case in open_case_rows():
        result.checked += 1
        seq += 1
        try:
            hits = case_hits(
                case,
                today=today,
                thresholds=thresholds,
                rules=rules,
                snap=snap,
                directory=directory,
            )
        except Exception as exc:  # noqa: BLE001 - isolation: report and go on
            logger.exception("supervision sweep failed for case %s", case.number)
            errors.append((seq, case.number, f"{type(exc).__name__}: {exc}"))
        else:
            subjects.append(Subject(seq, case.number, hits))
    complaints = Complaint.objects.exclude(status=ComplaintStatus.REPLIED).order_by("pk")
    for complaint in complaints:
        result.checked += 1
        seq += 1
        try:
            hits = complaint_hits(
                complaint, today=today, rules=rules, snap=snap, directory=directory
            )
        except Exception as exc:  # noqa: BLE001
            logger.exception("supervision sweep failed for complaint %s", complaint.number)
            errors.append((seq, complaint.number, f"{type(exc).__name__}: {exc}"))
        else:
            subjects.append(Subject(seq, complaint.number, hits))
    if any(s.hits for s in subjects):
        known = _Known.of_open(with_orders=bool(rules))
        _write_all(
            subjects,
            today=today,
            known=known,
            directory=directory,
            result=result,
            errors=errors,
        )
    result.errors = [(number, error) for _seq, number, error in sorted(errors)]
    return result


@transaction.atomic
def oversight_order_resolve(*, actor, pk: int, note: str) -> OversightOrder:
    """A supervisor closes an item of the supervision queue with a written note."""
    from ..selectors.alerts import oversight_orders_visible

    row = (
        oversight_orders_visible(viewer=actor).select_for_update(of=("self",)).filter(pk=pk).first()
    )
    if row is None:
        raise NotFound(_("督办事项不存在"))
    staff = getattr(actor, "staff", None)
    if not (actor.is_superuser or (staff and staff.has_role("supervisor"))):
        raise PermissionDenied(_("只有监察人员可以办结督办事项"))
    if row.resolved:
        raise Conflict(_("该督办事项已办结"), code=ErrorCode.RESOLVED)
    if not (note or "").strip():
        raise ValidationFailed(_("请填写督办意见"), field="note")
    row.resolved, row.resolved_by, row.resolved_note = True, actor, note.strip()
    row.save(update_fields=["resolved", "resolved_by", "resolved_note"])
    return row
