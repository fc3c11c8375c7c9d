"""What the supervision sweep finds in each case and complaint (the clocks in yellow or red, the
text of their alerts, the oversight rules a red one meets) and whom it tells (`Directory`)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.cases.models import Case
from bianmin.orgs.models import RoleCode, Staff, Unit

from .. import clocks
from ..case_rows import OpenCase, open_cases
from ..clocks import RED, YELLOW, ClockState
from ..models import Complaint, Level, OversightRule
from .notify import _centre, higher_unit


def alert_text(*, what: str, state: ClockState) -> str:
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


def rule_matches(rule: OversightRule, *, state: ClockState, item_id, case_state) -> bool:
    return (
        (rule.item_id is None or rule.item_id == item_id)
        and (not rule.case_state or rule.case_state == case_state)
        and (not rule.clock or rule.clock == state.clock)
        and state.over >= rule.days_over
    )


# --- who is told -------------------------------------------------------------------------------


class Directory:
    """The units and the active staff, read once per sweep; the same answers as
    `notify.users_with_roles`, `heads_of`, `heads_or_above` and `supervisors_over`, as user ids
    (a notification needs no more), without a query per alert."""

    def __init__(self) -> None:
        self._units: dict[int, Unit] | None = None
        self._staff: list[tuple[int, int, list]] | None = None
        self._answers: dict[tuple, list[int]] = {}

    @property
    def units(self) -> dict[int, Unit]:
        if self._units is None:
            units = {u.pk: u for u in Unit.objects.select_related("region")}
            for u in units.values():
                if u.parent_id in units:
                    u.parent = units[u.parent_id]
            self._units = units
        return self._units

    @property
    def staff(self) -> list[tuple[int, int, list]]:
        """(user id, unit id, roles) of every active staff member with a unit, in the staff's
        own order (`notify` reads them in that order too)."""
        if self._staff is None:
            self._staff = list(
                Staff.objects.filter(unit__isnull=False, user__is_active=True).values_list(
                    "user_id", "unit_id", "roles"
                )
            )
        return self._staff

    def users_with_roles(self, units: list[Unit], *roles: str) -> list[int]:
        ids = frozenset({u.pk for u in units} | {_centre(u).pk for u in units})
        key = ("roles", ids, roles)
        if key not in self._answers:
            self._answers[key] = [
                user_id
                for user_id, unit_id, held in self.staff
                if unit_id in ids and any(r in held for r in roles)
            ]
        return self._answers[key]

    def heads_of(self, unit: Unit) -> list[int]:
        return self.users_with_roles([unit], RoleCode.HEAD)

    def heads_or_above(self, unit: Unit) -> list[int]:
        seen = set()
        current: Unit | None = unit
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            heads = self.heads_of(current)
            if heads:
                return heads
            current = higher_unit(current)
        return []

    def supervisors_over(self, region_code: str) -> list[int]:
        key = ("supervisors", region_code)
        if key not in self._answers:
            units = self.units
            self._answers[key] = [
                user_id
                for user_id, unit_id, held in self.staff
                if RoleCode.SUPERVISOR in held
                and region_code.startswith(_centre(units[unit_id]).region.prefix)
            ]
        return self._answers[key]


def distinct(user_ids: Iterable[int | None]) -> list[int]:
    """One notification per distinct user, in the order they were named (`notify.notify`)."""
    return list(dict.fromkeys(u for u in user_ids if u is not None))


# --- what each case and complaint needs --------------------------------------------------------


@dataclass
class OversightDue:
    rules: list[OversightRule]
    item_id: int | None
    case_state: str
    region_code: str
    link: str
    what: str


@dataclass
class Hit:
    """A clock of one case or complaint in yellow or red, and whom its new alert is sent to."""

    state: ClockState
    text: str
    link: str
    unit: Unit
    owners: list[int | None]
    case_id: int | None = None
    complaint: Complaint | None = None
    oversight: OversightDue | None = None

    @property
    def level(self) -> str:
        return Level.RED if self.state.colour == RED else Level.YELLOW

    @property
    def key(self) -> tuple[str, str, str, dt.date]:
        return (self.state.subject, self.state.clock, self.level, self.state.due)


@dataclass
class Subject:
    """One case or complaint: the unit of isolation. `seq` keeps the errors in sweep order."""

    seq: int
    number: str
    hits: list[Hit]


def case_clocks_of(case, *, today, thresholds, snap) -> list[ClockState]:
    threshold = thresholds.get(case.item_version.item_id) or clocks.default_threshold()
    return clocks.case_clocks(case, today=today, threshold=threshold, snap=snap)


def case_hits(case, *, today, thresholds, rules, snap, directory) -> list[Hit]:
    link = f"/cases/{case.number}/"
    what = _("办件 %(n)s（%(i)s）") % {"n": case.number, "i": case.item_version.name}
    hits = []
    for state in case_clocks_of(case, today=today, thresholds=thresholds, snap=snap):
        if state.colour not in (YELLOW, RED):
            continue
        unit = directory.units[case.current_unit_id]
        hit = Hit(
            state=state,
            text=alert_text(what=what, state=state),
            link=link,
            unit=unit,
            owners=[case.assigned_to_id, case.first_responder_id, *directory.heads_of(unit)],
            case_id=case.pk,
        )
        if state.colour == RED and rules:
            hit.oversight = OversightDue(
                rules=rules,
                item_id=case.item_version.item_id,
                case_state=case.state,
                region_code=case.region.code,
                link=link,
                what=what,
            )
        hits.append(hit)
    return hits


def complaint_hits(complaint, *, today, rules, snap, directory) -> list[Hit]:
    link = reverse("supervision:complaint_detail", args=[complaint.number])
    what = _("投诉 %(n)s") % {"n": complaint.number}
    hits = []
    for state in clocks.complaint_clocks(complaint, today=today, snap=snap):
        if state.colour not in (YELLOW, RED):
            continue
        unit = directory.units[complaint.unit_id]
        hit = Hit(
            state=state,
            text=alert_text(what=what, state=state),
            link=link,
            unit=unit,
            owners=list(directory.heads_or_above(unit)),
            complaint=complaint,
        )
        if state.colour == RED and rules:
            hit.oversight = OversightDue(
                rules=[r for r in rules if not r.case_state],
                item_id=complaint.item_id,
                case_state="",
                region_code=unit.region.code,
                link=link,
                what=what,
            )
        hits.append(hit)
    return hits


def open_case_rows() -> list[OpenCase]:
    """The unfinished cases by pk, as the light rows their clocks and the alert texts read
    (`case_rows.open_cases`): no `Case` instances, each related version, region and unit read
    once. These rows serve the clocks and nothing else."""
    return open_cases(Case.objects.filter(state__in=clocks.UNFINISHED_STATES))
