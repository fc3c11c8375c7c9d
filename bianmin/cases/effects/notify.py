"""Short messages (短信) to the applicant after a transition (issue 14 item 2).

The engine calls `applicant_notify` once a transition has been applied, inside its transaction;
the sms app writes the outbox row there and sends it after the commit, so a message exists
exactly when its event does and never holds up or undoes the transition. What each message says
is the sms app's template (editable by administrators); this module only says when, and fills in
the case's particulars.
"""

from django.utils.translation import gettext as _

from bianmin.sms.models import SmsCode
from bianmin.sms.services import sms_enqueue

from ..models import State
from .base import Ctx

# The transitions the applicant hears about, by action (a further rule for the result below).
ON_ACTION = {
    "notify_missing": SmsCode.NOTICE,
    "accept": SmsCode.ACCEPTED,
    "deem_accept": SmsCode.ACCEPTED,
    "decide": SmsCode.DECIDED,
    "deliver": SmsCode.RATING,
}
# Where the result waits for the applicant: concluded or returned, at the unit that took it in.
READY_STATES = frozenset({State.CONCLUDED, State.TO_DELIVER})


def notices_for(*, action: str, from_state: str, case) -> list[str]:
    """The templates to send after `action` moved `case` from `from_state` to `case.state`."""
    codes = [ON_ACTION[action]] if action in ON_ACTION else []
    if action == "conclude" and from_state == State.ACCEPTED:
        codes.append(SmsCode.DECIDED)  # an immediate case: decided and concluded at once
    if (
        case.state in READY_STATES
        and case.state != from_state
        and case.current_unit_id == case.intake_unit_id
    ):
        codes.append(SmsCode.READY)
    return codes


def applicant_notify(ctx: Ctx, *, action: str, from_state: str) -> None:
    case = ctx.case
    codes = notices_for(action=action, from_state=from_state, case=case)
    if not codes or not case.item_version_id:
        return
    from ..documents import applicant_due, status_url

    context = {
        "case_number": case.number,
        "item": case.item_version.name,
        "unit": case.current_unit.name,
        "link": status_url(case),
    }
    for code in codes:
        extra: dict[str, str] = {}
        if code == SmsCode.NOTICE:
            extra["materials"] = "、".join(ctx.data.get("materials") or [])
        elif code == SmsCode.ACCEPTED:
            extra["due_on"] = applicant_due(case).text
        elif code == SmsCode.DECIDED:
            extra["unit"] = case.deciding_unit.name
            extra["result"] = _("准予") if case.approved else _("不予批准")
        sms_enqueue(code=code, phone=case.phone, context=context | extra, reference=case.number)
