"""The public side's statuses on the common engine (`bianmin.common.workflow`): the online
application's pre-review (预审), an appointment's cancellation and a home visit's registration.

Each has its table and machine here; `services` calls `transition`. Whoever acts on a case
through these (accepting, noticing, registering) is checked by the case engine inside the
effect, and the pages check the application's unit before calling, so the machines themselves
allow everyone; the public acts (supplement, cancel) are proven by the services first (case
number or code with the phone's last digits).
"""

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.cases.models import ApplicantKind, Channel, State
from bianmin.cases.services import case_register, case_supplement_online, case_transition
from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed
from bianmin.common.workflow import Machine, Transition, register
from bianmin.orgs.models import RoleCode as R

from .models import Application, ApplicationFile, Appointment, HomeVisitRequest, StatusEvent

A = Application.Status
STAFF = frozenset({R.AGENT, R.WINDOW_STAFF, R.CHIEF_REPRESENTATIVE, R.APPROVER, R.HEAD})
PUBLIC = frozenset({"applicant"})  # proven by code and phone digits, no account
PRE_REVIEW = frozenset({A.SUBMITTED, A.SUPPLEMENTED})


class PortalMachine(Machine):
    """What the three machines share: no version, everyone allowed (see the module), each
    change logged in `StatusEvent` under the machine's `kind`."""

    kind = ""
    state_field = "status"
    version_field = None
    actor_first = True

    def allowed(self, row, obj, actor) -> bool:
        return True

    def record(self, ctx, *, action, from_state, to_state, note) -> None:
        StatusEvent.objects.create(
            kind=self.kind,
            code=ctx.obj.code,
            at=ctx.now,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
        )


# -- online applications ----------------------------------------------------------------------


def e_accept(ctx) -> None:
    """Pre-review passed: accept the case through the case engine, which refuses while a
    required material is missing (art. 32). A case the engine already deemed accepted (5
    working days without notice) is only marked so here."""
    case = ctx.obj.case
    if case.state == State.SUBMITTED:
        case_transition(case=case, action="accept", actor=ctx.actor)
    elif case.accepted_on is None:
        raise Conflict(
            _("办件当前为“%(s)s”，不能受理") % {"s": case.get_state_display()},
            code=ErrorCode.APPLICATION_STATE,
        )
    ctx.obj.reviewed_by = ctx.actor


def e_notice(ctx) -> None:
    """The one-time notice (一次性告知书) through the case engine, listing every missing material
    at once (`materials`: uploaded ones found unusable, besides those not uploaded at all)."""
    case_transition(
        case=ctx.obj.case,
        action="notify_missing",
        actor=ctx.actor,
        materials=[int(m) for m in ctx.params.get("materials") or ()],
        note=ctx.params.get("notice") or "",
    )
    ctx.obj.reviewed_by = ctx.actor


def g_supplement(ctx) -> None:
    if not ctx.params.get("uploads"):
        raise ValidationFailed(_("请选择要上传的补正材料"), field="files")


def e_supplement(ctx) -> None:
    """The files are kept with the application; the case engine records the supplement as the
    applicant's own act (proven by number and phone digits, every listed material at once)."""
    app, names = ctx.obj, {}
    for material_id, upload in ctx.params["uploads"].items():
        ApplicationFile.objects.create(
            application=app,
            material_id=material_id,
            file=ContentFile(upload.content, name=f"{app.code}-{material_id}.{upload.extension}"),
            original_name=upload.original_name[:200],
            content_type=upload.content_type,
            size=len(upload.content),
            is_supplement=True,
        )
        names[material_id] = upload.original_name[:200]
    case_supplement_online(case=app.case, phone_tail=ctx.params["phone_tail"], uploads=names)


def e_confirm(ctx) -> None:
    """A case that came back before acceptance is accepted now; one noticed after acceptance
    simply runs on."""
    if ctx.obj.case.state == State.SUBMITTED:
        case_transition(case=ctx.obj.case, action="accept", actor=ctx.actor)
    ctx.obj.reviewed_by = ctx.actor


T = Transition
# fmt: off
APPLICATION_TABLE: tuple[Transition, ...] = (
    T("accept",             PRE_REVIEW,                 A.ACCEPTED,     STAFF,  None,         e_accept),
    T("notice",             PRE_REVIEW,                 A.NOTICED,      STAFF,  None,         e_notice),
    T("supplement",         frozenset({A.NOTICED}),     A.SUPPLEMENTED, PUBLIC, g_supplement, e_supplement),
    T("confirm_supplement", frozenset({A.SUPPLEMENTED}), A.ACCEPTED,    STAFF,  None,         e_confirm),
)
# fmt: on


@register
class ApplicationMachine(PortalMachine):
    model = Application
    table = APPLICATION_TABLE
    labels = {
        "accept": gettext_lazy("受理"),
        "notice": gettext_lazy("出具一次性告知书"),
        "supplement": gettext_lazy("补正材料"),
        "confirm_supplement": gettext_lazy("确认补正材料"),
    }
    states = A
    noun = gettext_lazy("申报")
    kind = "application"
    related = ("case",)

    def _wrong_state(self, state: str) -> Conflict:
        return Conflict(
            _("该申报当前为“%(s)s”，不能执行此操作") % {"s": self.state_label(state)},
            code=ErrorCode.APPLICATION_STATE,
        )

    def before(self, obj, actor) -> None:
        if obj.case is None:  # never opened as a case: in no review state
            raise self._wrong_state(obj.status)

    def illegal(self, obj, action, state):
        return self._wrong_state(state)


# -- appointments -----------------------------------------------------------------------------

APPOINTMENT_TABLE: tuple[Transition, ...] = (
    T("cancel", frozenset({Appointment.Status.BOOKED}), Appointment.Status.CANCELLED, PUBLIC),
)


@register
class AppointmentMachine(PortalMachine):
    """Cancelling frees the seat: the seat constraints hold for booked rows only."""

    model = Appointment
    table = APPOINTMENT_TABLE
    labels = {"cancel": gettext_lazy("取消预约")}
    states = Appointment.Status
    noun = gettext_lazy("预约")
    kind = "appointment"

    def illegal(self, obj, action, state):
        return self.cancelled()

    @staticmethod
    def cancelled() -> Conflict:
        return Conflict(_("该预约已取消"), code=ErrorCode.CANCELLED)


# -- home visits ------------------------------------------------------------------------------


def e_register(ctx) -> None:
    """The agent visited and the applicant signed the entrustment: open the proxy case through
    the case engine's intake (`case_register`, channel proxy) with the agent as first responder."""
    row = ctx.obj
    row.case = case_register(
        actor=ctx.actor,
        item_version=row.item_version.item.published_version or row.item_version,
        channel=Channel.PROXY,
        unit=row.station,
        applicant_kind=ApplicantKind.PERSON,
        applicant_name=row.name,
        id_number=row.id_number,
        phone=row.phone,
        address=row.address,
        entrustment_signed=ctx.params["entrustment_signed"],
        entrustment_text=_("上门服务（%(r)s）：%(i)s")
        % {"r": row.get_reason_display(), "i": row.item_version.name},
        note=_("上门服务申请 %(c)s") % {"c": row.code},
    )


H = HomeVisitRequest.Status
HOME_VISIT_TABLE: tuple[Transition, ...] = (
    T("register", frozenset({H.OPEN}), H.REGISTERED, frozenset({R.AGENT}), None, e_register),
)


@register
class HomeVisitMachine(PortalMachine):
    model = HomeVisitRequest
    table = HOME_VISIT_TABLE
    labels = {"register": gettext_lazy("登记代办件")}
    states = H
    noun = gettext_lazy("上门服务申请")
    kind = "home_visit"
    related = ("case",)

    def before(self, obj, actor) -> None:
        if obj.case is not None:
            raise self._registered(obj)

    def illegal(self, obj, action, state):
        return self._registered(HomeVisitRequest.objects.select_related("case").get(pk=obj.pk))

    @staticmethod
    def _registered(row) -> Conflict:
        number = row.case.number if row.case_id else ""
        return Conflict(_("该上门服务已登记为办件 %(n)s") % {"n": number}, code=ErrorCode.DONE)
