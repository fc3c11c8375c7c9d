"""Appointments (预约) at a window or station: book, cancel, reschedule a half-day."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from bianmin.common.validators import phone_tail_matches
from bianmin.common.workflow import transition
from bianmin.orgs.models import Unit, UnitKind
from bianmin.workdays.calendar import is_workday

from ..models import Appointment, AppointmentCapacity, HalfDay
from ..workflow import AppointmentMachine
from .base import create_with_code, phone_or_blank

APPOINTMENT_DAYS_AHEAD = 30
BOOKABLE_KINDS = {
    UnitKind.VILLAGE_STATION,
    UnitKind.TOWNSHIP_CENTRE,
    UnitKind.COUNTY_CENTRE,
    UnitKind.WINDOW,
}


def appointment_capacity(*, unit: Unit, half: str) -> int:
    cap = AppointmentCapacity.objects.filter(unit=unit).first()
    if cap is None:
        return int(getattr(settings, "BIANMIN_APPOINTMENT_DEFAULT_CAPACITY", 4))
    return cap.for_half(half)


def _check_slot(*, unit: Unit, day: dt.date, half: str, today: dt.date) -> None:
    if half not in HalfDay.values:
        raise ValidationFailed(_("请选择上午或下午"), field="half")
    if day <= today:
        raise ValidationFailed(_("只能预约明天及以后的日期"), field="day")
    if day > today + dt.timedelta(days=APPOINTMENT_DAYS_AHEAD):
        raise ValidationFailed(
            _("最多可预约 %(n)s 天内的日期") % {"n": APPOINTMENT_DAYS_AHEAD}, field="day"
        )
    workday, _provisional = is_workday(day)
    if not workday:
        raise ValidationFailed(_("%(d)s 不是工作日，请另选日期") % {"d": day}, field="day")
    if unit.kind not in BOOKABLE_KINDS or not unit.is_active:
        raise ValidationFailed(_("该单位不接受预约"), field="unit")


def _take_seat(*, unit: Unit, day: dt.date, half: str) -> int:
    """The lowest free seat of the half-day; Conflict when it is full."""
    taken = set(
        Appointment.objects.filter(
            unit=unit, day=day, half=half, status=Appointment.Status.BOOKED
        ).values_list("slot", flat=True)
    )
    capacity = appointment_capacity(unit=unit, half=half)
    free = next((n for n in range(1, capacity + 1) if n not in taken), None)
    if free is None:
        raise Conflict(
            _("%(d)s%(h)s已约满，请选择其他时段") % {"d": day, "h": HalfDay(half).label},
            code=ErrorCode.SLOT_FULL,
        )
    return free


@transaction.atomic
def appointment_book(
    *,
    unit: Unit,
    day: dt.date,
    half: str,
    name: str,
    phone: str,
    item_version: ItemVersion | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Appointment:
    """Book a half-day at a window or station (预约).

    Working days only (the holiday calendar), at most the unit's capacity per half-day, one
    booking per phone per unit and half-day. The seat number and the partial unique constraints
    make double booking impossible even for two simultaneous requests: the loser gets a 409.
    """
    today = today or timezone.localdate()
    _check_slot(unit=unit, day=day, half=half, today=today)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写姓名"), field="name")
    phone = phone_or_blank(phone, required=True)
    if Appointment.objects.filter(
        unit=unit, day=day, half=half, phone=phone, status=Appointment.Status.BOOKED
    ).exists():
        raise Conflict(_("您已预约该时段，无需重复预约"), code=ErrorCode.ALREADY_BOOKED)
    try:
        with transaction.atomic():
            return create_with_code(
                Appointment,
                unit=unit,
                day=day,
                half=half,
                slot=_take_seat(unit=unit, day=day, half=half),
                name=name[:50],
                phone=phone,
                item_version=item_version,
                note=(note or "").strip()[:200],
            )
    except IntegrityError:
        raise Conflict(_("该时段刚刚被约满，请重新选择"), code=ErrorCode.SLOT_FULL) from None


def _appointment_proven(code: str, phone_tail: str) -> Appointment:
    """The appointment of `code`, locked, when the phone's last four digits match."""
    appt = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if appt is None or not phone_tail_matches(appt.phone, phone_tail):
        raise NotFound(_("预约码或手机号后四位不正确"))
    return appt


@transaction.atomic
def appointment_cancel(*, code: str, phone_tail: str) -> Appointment:
    """Cancel with the appointment code and the last four digits of the phone; frees the seat."""
    appt = _appointment_proven(code, phone_tail)
    return transition(AppointmentMachine(), appt, action="cancel", actor=None)


@transaction.atomic
def appointment_reschedule(
    *, code: str, phone_tail: str, day: dt.date, half: str, today: dt.date | None = None
) -> Appointment:
    """Move a booking to another half-day of the same unit under the same rules; keeps its code."""
    appt = _appointment_proven(code, phone_tail)
    if appt.status != Appointment.Status.BOOKED:
        raise AppointmentMachine.cancelled()
    today = today or timezone.localdate()
    _check_slot(unit=appt.unit, day=day, half=half, today=today)
    if (appt.day, appt.half) == (day, half):
        return appt
    try:
        with transaction.atomic():
            appt.slot = _take_seat(unit=appt.unit, day=day, half=half)
            appt.day, appt.half = day, half
            appt.save()
    except IntegrityError:
        raise Conflict(_("该时段刚刚被约满，请重新选择"), code=ErrorCode.SLOT_FULL) from None
    return appt
