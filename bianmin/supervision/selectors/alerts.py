"""Alerts, notifications and the supervisor's queue (督办队列), through the viewer's access scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.cases.selectors import cases_visible
from bianmin.common.errors import ValidationFailed
from bianmin.orgs.models import Unit
from bianmin.orgs.scope import scope_for

from ..models import Alert, Level, Notification, OversightOrder, SupervisionRecord, SupervisionStep
from .complaints import complaints_visible
from .regions import region_or_403


def alerts_visible(*, viewer) -> QuerySet[Alert]:
    """Alerts of the cases the viewer may see, and of complaints against units in its scope."""
    scope = scope_for(viewer)
    if scope.is_empty:
        return Alert.objects.none()
    cases = cases_visible(viewer=viewer).values("pk")
    return Alert.objects.filter(
        Q(case__in=cases) | Q(case=None, complaint__in=complaints_visible(viewer=viewer))
    )


def alert_list(
    *,
    viewer,
    level: str | None = None,
    clock: str | None = None,
    region: str | None = None,
    since: dt.date | None = None,
    limit: int = 200,
) -> list[Alert]:
    """Newest first. `region` narrows to a region the viewer may see (403 outside its scope)."""
    qs = alerts_visible(viewer=viewer)
    if level:
        if level not in Level.values:
            raise ValidationFailed(_("级别只能是 yellow 或 red"), field="level")
        qs = qs.filter(level=level)
    if clock:
        qs = qs.filter(clock=clock)
    if region:
        r = region_or_403(viewer, region)
        qs = qs.filter(
            Q(case__region__code__startswith=r.prefix)
            | Q(case=None, complaint__unit__region__code__startswith=r.prefix)
        )
    if since:
        qs = qs.filter(raised_on__gte=since)
    limit = max(1, min(int(limit), 1000))
    return list(
        qs.select_related("case", "complaint", "unit").order_by("-raised_on", "-pk")[:limit]
    )


def notifications_for(*, viewer, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    qs = Notification.objects.filter(recipient=viewer)
    if unread_only:
        qs = qs.filter(read=False)
    return list(qs.order_by("-created_at", "-pk")[: max(1, min(int(limit), 500))])


def oversight_orders_visible(*, viewer) -> QuerySet[OversightOrder]:
    return OversightOrder.objects.filter(alert__in=alerts_visible(viewer=viewer))


def supervisor_queue(*, viewer, include_resolved: bool = False) -> list[OversightOrder]:
    """Red cases moved to supervision by an oversight rule (督办队列)."""
    qs = oversight_orders_visible(viewer=viewer).filter(action="supervisor_queue")
    if not include_resolved:
        qs = qs.filter(resolved=False)
    return list(
        qs.select_related("alert__case__item_version", "alert__complaint", "alert__unit").order_by(
            "-ordered_on", "-pk"
        )
    )


@dataclass
class QueueEntry:
    """One case (or complaint) of the supervision queue, with every deadline of it under oversight:
    the earliest (most overdue) first, which the row shows; the others listed inside."""

    kind: str  # "case" or "complaint"
    number: str
    title: str
    unit: Unit
    oversight_orders: list[OversightOrder]
    records: list[SupervisionRecord]

    @property
    def first(self) -> OversightOrder:
        return self.oversight_orders[0]

    @property
    def others(self) -> list[OversightOrder]:
        return self.oversight_orders[1:]

    @property
    def ordered_on(self) -> dt.date:
        return min(e.ordered_on for e in self.oversight_orders)

    @property
    def over_days(self) -> int:
        return max(0, *(-e.alert.days_left for e in self.oversight_orders))

    @property
    def deadline(self) -> dt.date | None:
        """The latest 督办期限 set, if any."""
        dates = [r.due_on for r in self.records if r.step == SupervisionStep.DEADLINE]
        return dates[-1] if dates else None


def supervision_queue(*, viewer) -> list[QueueEntry]:
    """The supervision queue (督办队列), one entry per case or complaint with open oversight orders:
    most overdue first, then by the earliest deadline."""
    entries: dict[tuple[str, int | None], QueueEntry] = {}
    for e in supervisor_queue(viewer=viewer):
        alert = e.alert
        key: tuple[str, int | None]
        if alert.case is not None:
            key, number, title = ("case", alert.case_id), alert.case.number, alert.case.title
        elif alert.complaint is not None:
            key = ("complaint", alert.complaint_id)
            number, title = alert.complaint.number, alert.complaint.get_kind_display()
        else:  # an alert is always of a case or a complaint
            continue
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = QueueEntry(key[0], number, str(title), alert.unit, [], [])
        entry.oversight_orders.append(e)
    for entry in entries.values():
        entry.oversight_orders.sort(key=lambda e: (e.alert.due_on, e.alert.days_left, e.pk))
        entry.unit = entry.first.alert.unit
    records = SupervisionRecord.objects.filter(
        Q(case__in=[pk for kind, pk in entries if kind == "case"])
        | Q(complaint__in=[pk for kind, pk in entries if kind == "complaint"])
    ).select_related("actor__staff")
    for r in records.order_by("at", "pk"):
        key = ("case", r.case_id) if r.case_id else ("complaint", r.complaint_id)
        entries[key].records.append(r)
    return sorted(entries.values(), key=lambda q: (-q.over_days, q.first.alert.due_on, q.number))
