"""Periodic checks and recomputation: supervision flags, deemed acceptance, provisional deadlines."""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.workdays.calendar import add_workdays

from .. import routing
from ..deadlines import DEEMED_ACCEPTANCE_DAYS, arrived_on, deadlines_compute
from ..models import (
    FINAL_STATES,
    Case,
    CaseMaterial,
    FlagKind,
    MaterialStatus,
    State,
    Step,
    SupervisionFlag,
)
from .engine import case_transition
from .events import event_record


def flag_raise(*, case: Case, kind: str, detail: str, key: str = "", actor=None) -> SupervisionFlag:
    """Record a supervision flag once per (case, kind, key)."""
    if key:
        existing = SupervisionFlag.objects.filter(case=case, kind=kind, key=key).first()
        if existing is not None:
            return existing
    return SupervisionFlag.objects.create(
        case=case, kind=kind, detail=detail, key=key, raised_by=actor
    )


def flags_sweep(*, today: dt.date | None = None) -> list[SupervisionFlag]:
    """Raise the supervision flags the calendar makes due (RULES.md "Supervision"):

    - a deferred (容缺) material past its due date and not provided;
    - an application at its accepting unit neither accepted nor noticed within 5 working days:
      it counts as accepted on the day it arrived (行政许可法 art. 32) and is accepted so;
    - a step over its own limit;
    - an accepted case still at the lower level past its preliminary-review limit (行政许可法
      art. 43, 20 working days or the tier's step limit; a late forward is flagged by the
      engine when it happens).
    Running it twice raises nothing new.
    """
    today = today or timezone.localdate()
    raised = []
    overdue_materials = CaseMaterial.objects.filter(
        status=MaterialStatus.DEFERRED, due_on__lt=today
    ).exclude(case__state__in=FINAL_STATES)
    for row in overdue_materials.select_related("case"):
        raised.append(
            flag_raise(
                case=row.case,
                kind=FlagKind.DEFERRED_OVERDUE,
                key=f"material:{row.pk}",
                detail=_("容缺材料“%(m)s”应于 %(d)s 前补交，至今未交")
                % {"m": row.name, "d": row.due_on},
            )
        )
    waiting = Case.objects.filter(state=State.SUBMITTED, notices=None).select_related(
        "current_unit__region", "item_version"
    )
    for case in waiting:
        arrived = arrived_on(case, case.custodies.all())
        if not routing.can_accept_here(case):
            continue
        if add_workdays(arrived, DEEMED_ACCEPTANCE_DAYS).date >= today:
            continue
        with transaction.atomic():
            case_transition(case=case, action="deem_accept", actor=None, arrived_on=arrived)
            raised.append(
                flag_raise(
                    case=case,
                    kind=FlagKind.DEEMED_ACCEPTED,
                    key="deemed",
                    detail=_("%(d)s 收到的申请5个工作日内未受理也未告知补正，视为当日受理")
                    % {"d": arrived},
                )
            )
    late_steps = Step.objects.filter(finished_on=None, due_on__lt=today).exclude(
        case__state__in=FINAL_STATES
    )
    for step in late_steps.select_related("case"):
        raised.append(
            flag_raise(
                case=step.case,
                kind=FlagKind.STEP_OVERDUE,
                key=f"step:{step.pk}",
                detail=_("环节“%(s)s”超过时限（应于 %(d)s 完成）")
                % {"s": step.name, "d": step.due_on},
            )
        )
    from ..effects.intake import late_forward_flag

    held = (
        Case.objects.filter(state=State.ACCEPTED)
        .exclude(current_unit=F("deciding_unit"))
        .exclude(flags__kind=FlagKind.LATE_FORWARD)
        .select_related("current_unit__parent")
        .prefetch_related("steps", "pauses")
    )
    for case in held:
        flag = late_forward_flag(case, today)
        if flag is not None:
            raised.append(flag_raise(case=case, kind=flag[0], detail=flag[1], key=flag[2]))
    return raised


def deadlines_recompute(*, years=None) -> int:
    """Recompute provisional deadlines after the calendar learnt a year (RULES.md "Working days").

    Each case whose dates change gets a `recompute` event. Returns how many cases changed.
    """
    changed = 0
    for pk in Case.objects.filter(deadlines_provisional=True).values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).get(pk=pk)
            before = (case.promised_due, case.statutory_due, case.proxy_due, case.delivery_due)
            deadlines_compute(case)
            after = (case.promised_due, case.statutory_due, case.proxy_due, case.delivery_due)
            if before == after and case.deadlines_provisional:
                continue
            case.save(
                update_fields=[
                    "promised_due",
                    "statutory_due",
                    "proxy_due",
                    "delivery_due",
                    "deadlines_provisional",
                    "updated_at",
                ]
            )
            event_record(
                case=case,
                actor=None,
                action="recompute",
                from_state=case.state,
                to_state=case.state,
                data={"before": [str(d) for d in before], "after": [str(d) for d in after]},
            )
            changed += 1
    return changed


def on_calendar_changed(sender, years=None, **kwargs) -> None:
    """Queue the recompute: a calendar save must not wait for every provisional case."""
    from ..tasks import deadlines_recompute_task

    deadlines_recompute_task.enqueue(sorted(years) if years else None)
