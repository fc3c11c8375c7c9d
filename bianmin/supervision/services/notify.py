"""Who is told about an alert, and the notification rows themselves."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound
from bianmin.orgs.models import RoleCode, Staff, Unit, UnitKind

from ..models import Notification


def _centre(unit: Unit) -> Unit:
    return unit.parent if unit.kind == UnitKind.WINDOW and unit.parent is not None else unit


def users_with_roles(units: list[Unit], *roles: str) -> list:
    """Active users of `units` (a window counts with its hall) holding one of `roles`."""
    ids = {u.pk for u in units} | {_centre(u).pk for u in units}
    staff = Staff.objects.filter(unit_id__in=ids, user__is_active=True).select_related("user")
    return [s.user for s in staff if s.has_role(*roles)]


def heads_of(unit: Unit) -> list:
    """The unit's head(s) (单位负责人)."""
    return users_with_roles([unit], RoleCode.HEAD)


def heads_or_above(unit: Unit) -> list:
    """The unit's heads, or if it has none (a village station) the nearest higher unit's."""
    return heads_responsible(unit)


def heads_responsible(unit: Unit, *, exclude=None) -> list:
    """The head(s) answerable for what happened at `unit`: its own, or the nearest higher unit's
    when it has none (a village station) or when its only head is `exclude` (the person a
    complaint is about does not hear of it as the one to handle it)."""
    seen = set()
    current: Unit | None = unit
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        heads = [u for u in heads_of(current) if exclude is None or u.pk != exclude.pk]
        if heads:
            return heads
        current = higher_unit(current)
    return []


def higher_unit(unit: Unit) -> Unit | None:
    """The unit above: village station -> township centre -> county centre; a department or a
    window answers to its hall's parent, or to the hall itself."""
    centre = _centre(unit)
    if centre.pk != unit.pk and centre.kind != UnitKind.COUNTY_CENTRE:
        return centre
    return centre.parent if centre.parent_id else (centre if centre.pk != unit.pk else None)


def supervisors_over(region_code: str) -> list:
    """Supervisors whose jurisdiction holds `region_code`."""
    staff = Staff.objects.filter(unit__isnull=False, user__is_active=True).select_related(
        "user", "unit__region", "unit__parent__region"
    )
    out = []
    for s in staff:
        if s.unit is None or not s.has_role(RoleCode.SUPERVISOR):
            continue
        if region_code.startswith(_centre(s.unit).region.prefix):
            out.append(s.user)
    return out


def notify(*, users, text: str, link: str = "", alert=None) -> list[Notification]:
    """One notification per distinct user; recorded on the alert's `notified` list."""
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and user.pk not in seen:
            seen[user.pk] = user
    rows = Notification.objects.bulk_create(
        Notification(recipient=u, text=text[:500], link=link, alert=alert) for u in seen.values()
    )
    if alert is not None and seen:
        alert.notified.add(*seen.values())
    return rows


def notify_once(*, users, text: str, link: str, key: str) -> int:
    """Notify each of `users` about `key` unless they were already told about it: jobs that run
    again (a daily command, a retried task) send nothing twice. Returns how many were told."""
    wanted = {u.pk: u for u in users if u is not None}
    told = set(
        Notification.objects.filter(key=key, recipient_id__in=list(wanted)).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(recipient=u, text=text[:500], link=link, key=key)
        for pk, u in wanted.items()
        if pk not in told
    ]
    # The unique (recipient, key) constraint settles two runs racing past the check above.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def notification_read(*, actor, pk: int) -> Notification:
    """Mark one of the actor's own notifications read; others' are not found."""
    row = Notification.objects.filter(pk=pk, recipient=actor).first()
    if row is None:
        raise NotFound(_("通知不存在"))
    if not row.read:
        row.read = True
        row.save(update_fields=["read"])
    return row
