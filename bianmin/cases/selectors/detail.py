"""One case and what its page shows about it: the case itself (logged), its timeline, the time
each unit held it."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.models import Staff, Unit
from bianmin.orgs.scope import Scope, scope_for
from bianmin.workdays.calendar import workdays_between

from ..models import Case, CaseEvent, Custody, PersonalDataView
from .access import cases_visible, visible_on_its_face


def case_get(
    *,
    viewer,
    number: str,
    log: bool = True,
    channel: str = "api",
    errands: bool = False,
    scope: Scope | None = None,
) -> Case:
    """One case by number: 404 if unknown, 403 outside the viewer's scope; the view is logged.
    Errands are found only when asked for (`errands=True`); `scope`: the viewer's, when the
    caller already holds it."""
    manager = Case.all_objects if errands else Case.objects
    case = (
        manager.select_related("item_version", "region")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if case is None:
        raise NotFound(_("办件 %(n)s 不存在") % {"n": number})
    scope = scope or scope_for(viewer)
    if not visible_on_its_face(scope, case):
        visible = cases_visible(viewer=viewer, base=manager.all(), scope=scope)
        if not visible.filter(pk=case.pk).exists():
            raise PermissionDenied(_("无权查看该办件"))
    if log:
        PersonalDataView.objects.create(case=case, viewer=viewer, channel=channel)
    _attach_units_and_people(case, viewer)
    return case


def _attach_units_and_people(case: Case, viewer) -> None:
    """The case's three units in one query and its people in another, set on the case as if
    selected with it. Joined into the case's own query they made PostgreSQL plan an
    eleven-table join: 13 ms of a 40 ms case page (EXPLAIN at county scale; issue 8)."""
    ids = {case.intake_unit_id, case.current_unit_id, case.deciding_unit_id, case.accepting_unit_id}
    units = Unit.objects.in_bulk(ids - {None})
    case.intake_unit = units[case.intake_unit_id]
    case.current_unit = units[case.current_unit_id]
    case.deciding_unit = units[case.deciding_unit_id]
    # The route shown on the case page names the accepting unit too.
    case.accepting_unit = units.get(case.accepting_unit_id)
    users = {case.first_responder_id, case.assigned_to_id} - {None}
    # Often the viewer is one of them (the clerk who took the case in or holds it), loaded with
    # its staff profile for the request already.
    found = {viewer.pk: viewer} if viewer.pk in users else {}
    if users - set(found):
        found |= get_user_model().objects.select_related("staff").in_bulk(users - set(found))
    if case.first_responder_id:
        case.first_responder = found[case.first_responder_id]
    if case.assigned_to_id:
        case.assigned_to = found[case.assigned_to_id]
    if case.agent_id:
        # The village agent reading its own case: its profile came with the viewer.
        own = viewer.staff if get_user_model().staff.is_cached(viewer) else None
        case.agent = own if own and own.pk == case.agent_id else Staff.objects.get(pk=case.agent_id)


def case_timeline(*, viewer, number: str) -> list[CaseEvent]:
    case = case_get(viewer=viewer, number=number, log=False, errands=True)
    return case_events(case=case)


def case_events(*, case: Case) -> list[CaseEvent]:
    """The timeline of a case the caller has already fetched through `case_get` (scoped)."""
    return list(case.events.select_related("unit").order_by("seq"))


@dataclass(frozen=True)
class Holding:
    """One hop of a case (its custody record, both units set on it) and how long the receiving
    unit held the case: working days from its receipt to the next hop, or to today."""

    hop: Custody
    left_at: dt.datetime | None
    workdays: int | None


def loaded_related(case: Case, fields: tuple[str, ...]) -> dict:
    """The objects of the case's `fields` already fetched with it (`case_get`), by id: no query."""
    cached = [case._state.fields_cache.get(f) for f in fields]
    return {o.pk: o for o in cached if o is not None}


def case_holdings(*, case: Case, today: dt.date | None = None) -> list[Holding]:
    """How long each unit held the case, from its custody records (DESIGN.md: time per tier)."""

    today = today or timezone.localdate()
    hops = list(case.custodies.order_by("sent_at", "pk"))
    # Units by id, not joined: PostgreSQL spent ~4 ms planning the case page's six-table join.
    # Hops run between the case's own units, mostly already on it (`case_get`).
    units = loaded_related(case, ("intake_unit", "current_unit", "deciding_unit", "accepting_unit"))
    missing = {u for h in hops for u in (h.from_unit_id, h.to_unit_id)} - {None} - set(units)
    if missing:
        units |= Unit.objects.in_bulk(missing)
    out = []
    for i, hop in enumerate(hops):
        # The first hop comes from no unit (the case was taken in there).
        hop.from_unit = units[hop.from_unit_id] if hop.from_unit_id is not None else None
        hop.to_unit = units[hop.to_unit_id]
        left = hops[i + 1].sent_at if i + 1 < len(hops) else None
        days = None
        if hop.received_at is not None:
            end = timezone.localdate(left) if left else today
            days = workdays_between(timezone.localdate(hop.received_at), end).workdays
        out.append(Holding(hop, left, days))
    return out
