"""The one workflow engine: everything in the system that has a status changes it here.

The pattern the case engine proved (STYLE.md rule 4), generalised. Each app that keeps a status
declares, in its own `workflow.py`, one table of `Transition` rows and one `Machine` that says how
to lock, check and record a record of its model; `transition` is the only code that applies a row
and `actions_for` the only code that lists what a person may do. A test fails when a status field
is assigned anywhere else (`common/tests/test_workflow_only.py`).

A row: the action, the states it leaves, the state it reaches (or `SAME` / `PREVIOUS` / a marker
the machine resolves after the effect), who may take it (roles, and which unit the actor must act
for, `acts_for`, checked by the machine), which kinds of record it applies to (`classes`, for
cases the case class), when it applies (a condition on the record and the actor alone, so that
pages and the API offer only what can be done), its guard (the rule checked against the submitted
parameters) and its effect (what else changes, in the same transaction).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from .errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed

SAME = "=same"  # the record stays in its state
PREVIOUS = "=previous"  # back to the state it was paused from (the machine's `resume_field`)
SYSTEM = frozenset({"system"})  # rows only the system takes (no person; actor None)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guard: Callable[[Any], None] | None = None
    effect: Callable[[Any], None] | None = None
    classes: frozenset[str] | None = None  # None: every kind of record
    acts_for: str = "current"  # which unit the actor must act for; the machine decides
    # (record, actor) -> None when the row applies now, else why not.
    when: Callable[[Any, Any], str | None] | None = None
    # Shown beside something else on the page, not as an action form of its own.
    inline: bool = False


@dataclass
class Ctx:
    """What every guard and effect gets: the locked record, who acts, the submitted parameters,
    the moment, and `data` that goes into the event."""

    obj: Any
    actor: Any
    params: dict
    today: dt.date
    now: dt.datetime
    data: dict = field(default_factory=dict)

    def roles(self) -> set[str]:
        staff = getattr(self.actor, "staff", None)
        return set(staff.roles) if staff else set()

    def text(self, name: str, *, required: bool = False, message: str = "") -> str:
        value = str(self.params.get(name) or "").strip()
        if required and not value:
            raise ValidationFailed(message or _("请填写 %(f)s") % {"f": name}, field=name)
        return value


class Machine:
    """How the engine handles one model's status. Subclass per app; override the hooks."""

    model: ClassVar[type[models.Model]]
    table: ClassVar[tuple[Transition, ...]]
    labels: ClassVar[Mapping[str, Any]]  # action -> label shown to people
    states: ClassVar[type[models.TextChoices]]
    # What people call the record, in messages (办件, 整改 ...).
    noun: ClassVar[str | Promise] = ""
    state_field: ClassVar[str] = "state"
    version_field: ClassVar[str | None] = "lock_version"  # None: no optimistic locking
    resume_field: ClassVar[str | None] = None  # where PREVIOUS finds its way back
    pausing: ClassVar[frozenset[str]] = frozenset()  # targets that remember where they came from
    default_resume: ClassVar[str] = ""  # PREVIOUS when nothing was remembered
    related: ClassVar[tuple[str, ...]] = ()  # select_related when locking
    ctx_class: ClassVar[type[Ctx]] = Ctx
    # Ask who acts before whether the state allows the action: an outsider is told 403 whatever
    # the record's state (reports, leave, online applications always answered so).
    actor_first: ClassVar[bool] = False

    # --- the table ------------------------------------------------------------------------------
    @classmethod
    def actions(cls) -> frozenset[str]:
        return frozenset(row.action for row in cls.table)

    @classmethod
    def kind_of(cls, obj) -> str | None:
        """The kind a row's `classes` is matched against (cases: the case class)."""
        return None

    @classmethod
    def find(cls, action: str, *, state: str, kind: str | None = None) -> Transition | None:
        """The row that applies to `action` from `state` (for a record of `kind`)."""
        for row in cls.table:
            fits = row.classes is None or kind in row.classes
            if row.action == action and state in row.sources and fits:
                return row
        return None

    @classmethod
    def label(cls, action: str) -> str:
        return str(cls.labels.get(action, action))

    @classmethod
    def state_label(cls, state: str) -> str:
        return str(cls.states(state).label) if state in cls.states.values else state

    # --- hooks ----------------------------------------------------------------------------------
    def lock(self, obj):
        """The record again, locked for this transaction."""
        qs = self.model._default_manager.select_for_update(of=("self",))
        if self.related:
            qs = qs.select_related(*self.related)
        return qs.get(pk=obj.pk)

    def before(self, obj, actor) -> None:
        """Checks before the table is read (e.g. whether the actor may see the record)."""

    def allowed(self, row: Transition, obj, actor) -> bool:
        """Whether `actor` may take `row` on `obj` (role and unit; no state check). Pages list
        only allowed rows; `authorize` refuses the others with a reason."""
        raise NotImplementedError

    def denial(self, action: str, obj) -> str:
        """The 403 message for an actor `allowed` refuses."""
        return _("您无权对该%(n)s执行「%(a)s」") % {"n": self.noun, "a": self.label(action)}

    def authorize(self, row: Transition, ctx: Ctx) -> None:
        """Raise PermissionDenied (or Conflict) when `ctx.actor` may not take `row`."""
        if not self.allowed(row, ctx.obj, ctx.actor):
            raise PermissionDenied(self.denial(row.action, ctx.obj))

    def resolve(self, ctx: Ctx, row: Transition, from_state: str) -> str:
        """The target of a row whose target is a marker other than SAME and PREVIOUS, decided
        after the effect ran."""
        raise NotImplementedError(row.target)

    def illegal(self, obj, action: str, state: str) -> Exception:
        """The error when no row takes `action` from `state`."""
        return Conflict(
            _("%(n)s当前状态为「%(s)s」，不能执行「%(a)s」")
            % {"n": self.noun, "s": self.state_label(state), "a": self.label(action)},
            code=ErrorCode.ILLEGAL_TRANSITION,
            extra={"state": state, "action": action},
        )

    def save(self, ctx: Ctx) -> None:
        """Store the record once its state (and version) are set (e.g. with `update_fields`)."""
        ctx.obj.save()

    def saved(self, ctx: Ctx, row: Transition, from_state: str, to_state: str) -> None:
        """After the record is saved, before its event (e.g. supervision flags)."""

    def record(self, ctx: Ctx, *, action: str, from_state: str, to_state: str, note: str):
        """Write the event of one transition (each app keeps its own event table)."""
        raise NotImplementedError

    def done(self, ctx: Ctx, row: Transition, from_state: str) -> None:
        """After the event, still in the transaction (e.g. notify the applicant)."""

    def refused(self, error: Exception, obj, actor) -> None:
        """Called outside the transaction when a transition is refused."""

    def order(self, actions: list[str], obj) -> list[str]:
        """The order people see their allowed actions in (the next expected step first)."""
        return actions

    # --- listing --------------------------------------------------------------------------------
    def actions_for(self, obj, actor) -> list[str]:
        """What `actor` may do to `obj` now: rows for its state and kind that are not the
        system's, whose role and unit fit (`allowed`) and whose condition (`when`) holds."""
        if actor is None or not getattr(actor, "is_authenticated", False):
            return []
        state, kind, out = getattr(obj, self.state_field), self.kind_of(obj), []
        for row in self.table:
            if state not in row.sources or row.roles == SYSTEM or row.action in out:
                continue
            if row.classes is not None and kind not in row.classes:
                continue
            if not self.allowed(row, obj, actor):
                continue
            if row.when is not None and row.when(obj, actor) is not None:
                continue
            out.append(row.action)
        return self.order(out, obj)


def _target(machine: Machine, ctx: Ctx, row: Transition, from_state: str) -> str | None:
    """The state a row reaches, when known before its effect (None: decided after it)."""
    obj = ctx.obj
    if row.target == SAME:
        return from_state
    if row.target == PREVIOUS:
        assert machine.resume_field is not None
        back = getattr(obj, machine.resume_field) or machine.default_resume
        setattr(obj, machine.resume_field, "")
        return back
    if row.target.startswith("="):
        return None
    if row.target in machine.pausing and machine.resume_field:
        setattr(obj, machine.resume_field, from_state)
    return row.target


def _check_version(machine: Machine, obj, expected_version) -> None:
    if machine.version_field and expected_version is not None:
        current = getattr(obj, machine.version_field)
        if int(expected_version) != current:
            raise Conflict(
                _("%(n)s已被他人修改（版本 %(v)s），请刷新后重试")
                % {"n": machine.noun, "v": current},
                code=ErrorCode.STALE,
                extra={"lock_version": current},
            )


def _row(machine: Machine, obj, action: str, actor) -> Transition:
    if action not in machine.actions():
        raise ValidationFailed(_("未知操作：%(a)s") % {"a": action}, field="action")
    if machine.actor_first and not any(
        machine.allowed(row, obj, actor) for row in machine.table if row.action == action
    ):
        raise PermissionDenied(machine.denial(action, obj))
    state = getattr(obj, machine.state_field)
    row = machine.find(action, state=state, kind=machine.kind_of(obj))
    if row is None:
        raise machine.illegal(obj, action, state)
    return row


@transaction.atomic
def _apply(machine: Machine, obj, *, action, actor, expected_version, note, params):
    obj = machine.lock(obj)
    machine.before(obj, actor)
    _check_version(machine, obj, expected_version)
    row = _row(machine, obj, action, actor)
    from_state = getattr(obj, machine.state_field)
    now = timezone.now()
    ctx = machine.ctx_class(
        obj=obj, actor=actor, params=params, today=timezone.localdate(now), now=now
    )
    machine.authorize(row, ctx)
    reason = row.when(obj, actor) if row.when is not None else None
    if reason is not None:
        raise Conflict(
            reason, code=ErrorCode.NOT_NOW, extra={"state": from_state, "action": action}
        )
    if row.guard is not None:
        row.guard(ctx)
    target = _target(machine, ctx, row, from_state)
    if row.effect is not None:
        row.effect(ctx)
    if target is None:
        target = machine.resolve(ctx, row, from_state)
    setattr(obj, machine.state_field, target)
    if machine.version_field:
        setattr(obj, machine.version_field, getattr(obj, machine.version_field) + 1)
    machine.save(ctx)
    machine.saved(ctx, row, from_state, target)
    machine.record(ctx, action=action, from_state=from_state, to_state=target, note=note)
    machine.done(ctx, row, from_state)
    return obj


def transition(
    machine: Machine,
    obj,
    *,
    action: str,
    actor,
    expected_version: int | None = None,
    note: str = "",
    **params,
):
    """Apply `action` to `obj` as `actor`, per `machine.table`.

    Locks the row, checks `expected_version` (a stale version is a 409 `stale`), the table (an
    illegal move is a 409 naming state and action), the actor (403), the row's condition (409
    `not_now`), then runs guard and effect, sets the state, bumps the version, saves and records
    the event, all in one transaction.
    """
    try:
        for attempt in range(1, 6):
            try:
                return _apply(
                    machine,
                    obj,
                    action=action,
                    actor=actor,
                    expected_version=expected_version,
                    note=note,
                    params=params,
                )
            except OperationalError as error:
                # SQLite reports a concurrent writer as "locked" instead of waiting in some modes;
                # the whole transaction is safe to run again when we are not inside another one.
                if "locked" not in str(error) or connection.in_atomic_block or attempt == 5:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")
    except Exception as error:
        machine.refused(error, obj, actor)
        raise


MACHINES: list[type[Machine]] = []


def register(machine: type[Machine]) -> type[Machine]:
    """Class decorator: list a machine so `bianmin workflow-doc` draws its table."""
    MACHINES.append(machine)
    return machine


def autodiscover() -> list[type[Machine]]:
    """Every registered machine, once each installed app's `workflow` module is imported."""
    autodiscover_modules("workflow")
    return MACHINES
