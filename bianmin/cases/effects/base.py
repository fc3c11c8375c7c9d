"""The context every guard and effect gets, and shared helpers."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from bianmin.common import workflow
from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.orgs.models import Unit
from bianmin.workdays.calendar import add_workdays

from ..deadlines import closed_pauses, deadlines_compute
from ..models import Case


@dataclass
class Ctx(workflow.Ctx):
    """The common engine's context, with what case effects add: the unit a case is sent to and
    the supervision flags the change raises: (kind, detail, key); a key is raised once per case."""

    to_unit: Unit | None = None
    flags: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def case(self) -> Case:
        return self.obj


def flagged(error: DomainError, kind: str, detail: str) -> DomainError:
    """Mark an error so the engine records a supervision flag after refusing the transition."""
    error.flag = (kind, detail)  # type: ignore[attr-defined]
    return error


def _bool(ctx: Ctx, name: str, default: bool | None = None) -> bool:
    value = ctx.params.get(name, default)
    if not isinstance(value, bool):
        raise ValidationFailed(_("请明确是否准予（approved 为 true 或 false）"), field=name)
    return value


def advance_step(
    ctx: Ctx, *, finish_all: bool = False, on=None, through: int | None = None
) -> None:
    """Finish the running step (or all of them, or those up to position `through`) and start the
    next one, timed from `on`."""
    steps = list(ctx.case.steps.order_by("position"))
    finished, following = steps_advance(
        steps,
        on or ctx.today,
        pauses=lambda: closed_pauses(ctx.case),
        finish_all=finish_all,
        through=through,
    )
    for s in finished:
        s.save(update_fields=["started_on", "finished_on"])
    if following is not None:
        following.save(update_fields=["started_on", "due_on"])


def steps_advance(
    steps: list,
    day: dt.date,
    *,
    pauses: Callable[[], list],
    finish_all: bool = False,
    through: int | None = None,
    add_workdays=add_workdays,
):
    """`advance_step` on steps in position order (anything with the `Step` fields), not saved:
    sets their dates and returns (the steps finished, the step started or None). `pauses` gives
    the closed pauses, asked only when a step starts; `add_workdays` may be a cached
    `calendar.add_workdays` (the bulk history generator's)."""
    current = next((s for s in steps if s.finished_on is None), None)
    if current is None:
        return [], None
    finished = []
    for s in steps[steps.index(current) :]:
        if s.finished_on is None and (
            s is current or finish_all or (through is not None and s.position <= through)
        ):
            s.started_on = s.started_on or day
            s.finished_on = day
            finished.append(s)
    following = next((s for s in steps if s.finished_on is None), None)
    if following is not None:
        following.started_on = day
        following.due_on = add_workdays(day, following.limit_days, pauses()).date
    return finished, following


def end_pauses(ctx: Ctx, kind: str | None = None) -> None:
    open_ = ctx.case.pauses.filter(ended_on=None)
    if kind:
        open_ = open_.filter(kind=kind)
    open_.update(ended_on=ctx.today)
    deadlines_compute(ctx.case)
