"""Reads of training: organisers' yearly duties (RULES.md "Training (汉台 2023)"), the sessions
they held and who attended, and one person's sessions.

The duty is the organiser's: the county's approval bureau holds at least 2 sessions a year for
township and village staff, each county department that delegates items at least 4
(`settings.BIANMIN_TRAINING_DUTY`). A person's attendance is a record, never a quota.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion, Tier
from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.models import Staff, Unit, UnitKind
from bianmin.orgs.scope import scope_for

from ..access import HANDLING_ROLES, MANAGER_ROLES, staff_of
from ..models import TrainingAttendance, TrainingSession

APPROVAL_BUREAU = "approval_bureau"
DELEGATING_DEPARTMENT = "delegating_department"
# Who may organise a session recorded here: the approval bureau, which runs the county centre
# (行政审批服务局), and the county departments.
ORGANISER_KINDS = (UnitKind.COUNTY_CENTRE, UnitKind.DEPARTMENT)
# Township and village staff, the audience of the sessions: staff of these halls and their windows.
AUDIENCE_HALLS = (UnitKind.TOWNSHIP_CENTRE, UnitKind.VILLAGE_STATION)


def training_duty() -> dict[str, int]:
    """Sessions a year each kind of organiser must hold (RULES.md "Training")."""
    return dict(settings.BIANMIN_TRAINING_DUTY)


def delegating_department_ids() -> set[int]:
    """County departments that delegate items: they decide published items that are accepted or
    handled below the county (下放 to the township or village, 受理关口前移)."""
    below = [Tier.TOWNSHIP, Tier.VILLAGE]
    return set(
        ItemVersion.objects.filter(
            Q(accept_tier__in=below) | Q(decide_tier__in=below),
            status=ItemVersion.Status.PUBLISHED,
            implementing_unit__kind=UnitKind.DEPARTMENT,
        ).values_list("implementing_unit_id", flat=True)
    )


def duty_kind(unit: Unit, delegating: set[int]) -> str | None:
    """Which duty `unit` has as an organiser, or None."""
    if unit.kind == UnitKind.COUNTY_CENTRE:
        return APPROVAL_BUREAU
    if unit.kind == UnitKind.DEPARTMENT and unit.pk in delegating:
        return DELEGATING_DEPARTMENT
    return None


def _attendance_rows():
    return Prefetch(
        "rows",
        queryset=TrainingAttendance.objects.select_related("staff__unit").order_by(
            "staff__unit__region__code", "staff__full_name", "pk"
        ),
    )


def _county_prefix(viewer) -> str | None:
    """The county whose organisers the viewer sees ("" for all): everyone working in a county
    sees its organisers' duties, which concern all its townships and villages."""
    prefix = scope_for(viewer).region_prefix
    return None if prefix is None else prefix[:6]


@dataclass(frozen=True)
class Attendee:
    name: str
    unit: str


@dataclass(frozen=True)
class HeldSession:
    session: TrainingSession
    attendees: list[Attendee]


@dataclass(frozen=True)
class OrganiserDuty:
    unit: Unit
    kind: str
    required: int
    sessions: list[HeldSession]

    @property
    def held(self) -> int:
        return len(self.sessions)

    @property
    def short(self) -> int:
        return max(0, self.required - self.held)


def training_duties(*, viewer, year: int) -> list[OrganiserDuty]:
    """Every organiser with a duty in the viewer's county: sessions held in `year` against the
    sessions required, with each session's attendees."""
    prefix = _county_prefix(viewer)
    if prefix is None:
        return []
    duty = training_duty()
    delegating = delegating_department_ids()
    units = [
        u
        for u in Unit.objects.filter(
            kind__in=ORGANISER_KINDS, is_active=True, region__code__startswith=prefix
        ).select_related("region")
        if duty_kind(u, delegating)
    ]
    sessions = list(
        TrainingSession.objects.filter(organiser__in=units, date__year=year).order_by("date", "pk")
    )
    # A county's year is thousands of attendance rows: names and units, not model instances.
    attendees: dict[int, list[Attendee]] = {s.pk: [] for s in sessions}
    for session_id, name, unit in (
        TrainingAttendance.objects.filter(session__in=sessions)
        .order_by("staff__unit__region__code", "staff__full_name", "pk")
        .values_list("session_id", "staff__full_name", "staff__unit__name")
    ):
        attendees[session_id].append(Attendee(name, unit))
    held: dict[int, list[HeldSession]] = {u.pk: [] for u in units}
    for s in sessions:
        held[s.organiser_id].append(HeldSession(s, attendees[s.pk]))
    out = []
    for u in units:
        kind = duty_kind(u, delegating)
        assert kind is not None  # filtered above
        out.append(OrganiserDuty(u, kind, duty[kind], held[u.pk]))
    return sorted(out, key=lambda d: (d.kind != APPROVAL_BUREAU, d.unit.region.code, d.unit.code))


def training_shortfall(*, viewer, year: int) -> list[OrganiserDuty]:
    """Organisers of the viewer's county that held fewer sessions in `year` than their duty."""
    return [d for d in training_duties(viewer=viewer, year=year) if d.short]


@dataclass(frozen=True)
class TrainingRecord:
    staff: Staff
    year: int
    sessions: list[TrainingSession]

    @property
    def count(self) -> int:
        return len(self.sessions)

    @property
    def hours(self) -> Decimal:
        return sum((s.hours for s in self.sessions), Decimal("0"))


def _visible_staff(viewer):
    scope = scope_for(viewer)
    return Staff.objects.filter(scope.units_q("unit"), user__is_active=True)


def training_records_visible(*, viewer, staff_ids) -> set[int]:
    """Which of `staff_ids` the viewer may open the training record of (`training_record`)."""
    ids = set(_visible_staff(viewer).filter(pk__in=staff_ids).values_list("pk", flat=True))
    me = staff_of(viewer)
    return ids | ({me.pk} & set(staff_ids) if me is not None else set())


def training_record(*, viewer, staff: Staff, year: int) -> TrainingRecord:
    """The sessions one person attended in `year`: their own, or anyone's in the viewer's scope.
    Information only: nobody is required to attend a number of sessions."""
    if viewer != staff.user and not _visible_staff(viewer).filter(pk=staff.pk).exists():
        raise PermissionDenied(_("无权查看该人员的培训记录"))
    sessions = list(
        TrainingSession.objects.filter(rows__staff=staff, date__year=year)
        .select_related("organiser")
        .order_by("date", "pk")
    )
    return TrainingRecord(staff, year, sessions)


def _sessions_q(viewer) -> Q:
    """Sessions the viewer may read: organised by a unit in scope, attended by someone in scope,
    or attended by the viewer."""
    scope = scope_for(viewer)
    me = staff_of(viewer)
    q = scope.units_q("organiser") | Q(rows__staff__in=_visible_staff(viewer))
    if me is not None:
        q |= Q(rows__staff=me)
    return q


def training_sessions(*, viewer, year: int | None = None):
    qs = TrainingSession.objects.filter(
        pk__in=TrainingSession.objects.filter(_sessions_q(viewer)).values("pk")
    )
    if year:
        qs = qs.filter(date__year=year)
    return (
        qs.select_related("organiser")
        .annotate(attendee_count=Count("rows"))
        .order_by("-date", "-pk")
    )


def training_session_get(*, viewer, pk: int) -> TrainingSession:
    session = (
        training_sessions(viewer=viewer).prefetch_related(_attendance_rows()).filter(pk=pk).first()
    )
    if session is None:
        raise NotFound(_("培训记录不存在或无权查看"))
    return session


def can_record_training(actor, organiser: Unit) -> bool:
    """Only the organiser's own heads and administrators record its sessions."""
    if actor is None or not actor.is_authenticated:
        return False
    if organiser.kind not in ORGANISER_KINDS:
        return False
    if actor.is_superuser:
        return True
    staff = staff_of(actor)
    return staff is not None and staff.unit_id == organiser.pk and staff.has_role(*MANAGER_ROLES)


def training_organisers_for(*, actor) -> list[Unit]:
    """The organisers whose sessions `actor` may record."""
    if actor is None or not actor.is_authenticated:
        return []
    if actor.is_superuser:
        qs = Unit.objects.filter(kind__in=ORGANISER_KINDS, is_active=True)
    else:
        staff = staff_of(actor)
        if staff is None or staff.unit_id is None:
            return []
        qs = Unit.objects.filter(pk=staff.unit_id)
    return [u for u in qs.order_by("region__code", "kind", "code") if can_record_training(actor, u)]


def is_training_audience(staff: Staff, organiser: Unit) -> bool:
    """Township and village staff of the organiser's county (a window counts with its hall)."""
    unit = staff.unit
    if unit is None:
        return False
    hall = unit.parent if unit.kind == UnitKind.WINDOW and unit.parent is not None else unit
    return hall.kind in AUDIENCE_HALLS and unit.region.code.startswith(organiser.region.code[:6])


def training_candidates(*, organiser: Unit) -> list[Staff]:
    """Who may be signed in at the organiser's sessions, by township and village."""
    people = (
        Staff.objects.filter(
            user__is_active=True, unit__region__code__startswith=organiser.region.code[:6]
        )
        .select_related("unit__parent", "unit__region")
        .order_by("unit__region__code", "unit__kind", "full_name", "pk")
    )
    return [
        s for s in people if set(s.roles) & HANDLING_ROLES and is_training_audience(s, organiser)
    ]
