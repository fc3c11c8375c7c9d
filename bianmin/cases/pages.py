"""What the staff case pages share: the viewer's scope once per request, the case fetched through
the scoped selector, list rows with their clock, and the sub-navigation's context."""

from bianmin.common.validators import mask_id_number
from bianmin.orgs.models import RoleCode, Staff
from bianmin.orgs.scope import scope_for

from . import selectors
from .deadlines import clock
from .models import ApplicantKind, Case, State

QUEUE_LABELS = {code: q.label for code, q in selectors.LIST_QUEUES.items()}


def scope_of(request):
    """The viewer's scope, worked out once per request (the page needs it more than once)."""
    if not hasattr(request, "_bianmin_scope"):
        request._bianmin_scope = scope_for(request.user)
    return request._bianmin_scope


def fetch(request, number: str, *, log: bool = True) -> Case:
    """The case through the scoped selector; outside the scope is 403, unknown is 404 (the
    selector's errors, as `bianmin.common.refusals` answers them)."""
    return selectors.case_get(
        viewer=request.user, number=number, log=log, channel="page", scope=scope_of(request)
    )


def staff_of(request) -> Staff | None:
    return getattr(request.user, "staff", None)


def may_open_cases(user) -> bool:
    """Staff of a unit take cases in; supervisors watch and never handle."""
    staff = getattr(user, "staff", None)
    return bool(staff and staff.unit_id and not staff.has_role(RoleCode.SUPERVISOR))


def can_open(request) -> bool:
    return may_open_cases(request.user)


# `State.values` rebuilds the choices (translating every label) on each access.
STATES = frozenset(State.values)


def state_label(state: str) -> str:
    # `get_state_display` hashes and translates every choice for each row: half the time of a
    # queue page; the label of this one state is all the row needs.
    return State(state).label if state in STATES else state


def masked_id(case) -> str:
    if case.applicant_kind == ApplicantKind.ENTERPRISE:
        return case.credit_code
    return mask_id_number(case.id_number)


def case_row(case: selectors.CaseRow) -> dict:
    c = clock(case)
    return {
        "case": case,
        "state_label": state_label(case.state),
        "clock": c,
        "light": c.colour,
        "masked_id": masked_id(case),
    }


def display_name(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.full_name if staff else user.get_username()


def base_context(request) -> dict:
    return {"can_open": can_open(request)}
