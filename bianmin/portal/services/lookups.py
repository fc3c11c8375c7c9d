"""What the public looks up or sends on: case status, complaints, ratings."""

import contextlib

from django.utils.translation import gettext as _

from bianmin.cases.models import Case
from bianmin.cases.numbers import case_number_valid
from bianmin.common import throttle
from bianmin.common.challenge import Answer
from bianmin.common.errors import ErrorCode, NotFound
from bianmin.common.validators import phone_tail_matches


def status_verify(*, number: str, phone_tail: str, ip: str, answer: Answer | None = None) -> Case:
    """The case for a (number, last four phone digits) pair, or NotFound.

    The answer for a wrong pair is the same whether the number exists or not, so the lookup cannot
    be used to discover case numbers. Wrong pairs count per address and per number (`throttle`):
    past a few, the picture challenge `answer` must be solved first, so guessing slows down while
    the owner, who solves it, always gets through; an address that floods is refused (429).
    """
    number = (number or "").strip().upper()
    keys = throttle.keys_for(ip=ip, number=number)
    throttle.guard(keys, answer=answer)
    # With what the status answer shows of it (item, where it is, who took it in).
    found = Case.objects.select_related("item_version__item", "current_unit", "intake_unit")
    case = found.filter(number=number).first() if case_number_valid(number) else None
    if case is None or not phone_tail_matches(case.phone, phone_tail):
        throttle.record_failure(keys, ip=ip, number=number)
        raise NotFound(_("办件编号或手机号后四位不正确"), code=ErrorCode.NO_MATCH)
    return case


def complaint_lookup(*, number: str, phone_tail: str, ip: str, answer: Answer | None = None):
    """What the complainant may read of their complaint (`supervision.selectors.PublicComplaint`:
    decision date, verified outcome, reply) for a (complaint number, last four phone digits) pair.

    Guarded like the status lookup (`throttle.COMPLAINT_LOOKUP`): a wrong pair is answered the
    same whether the number exists or not and counts per address and per number; past a few, the
    picture challenge `answer` must be solved first; a flooding address is refused (429).
    """
    from bianmin.supervision.selectors import complaint_public_get

    number = (number or "").strip().upper()
    limit = throttle.COMPLAINT_LOOKUP
    keys = throttle.keys_for(ip=ip, number=number, limit=limit)
    throttle.guard(keys, limit=limit, answer=answer)
    with contextlib.suppress(NotFound):
        return complaint_public_get(number, phone_tail)
    throttle.record_failure(keys, ip=ip, number=number, limit=limit)
    raise NotFound(_("投诉编号或手机号后四位不正确"), code=ErrorCode.NO_MATCH)


def complaint_file(**kwargs):
    """File a complaint or suggestion through the supervision service (tracking number, reply
    deadline); the portal adds nothing of its own."""
    from bianmin.supervision.services import complaint_file as supervision_complaint_file

    return supervision_complaint_file(**kwargs)


def rating_submit(*, case: Case, level: int, comment: str = "", phone_tail: str | None = None):
    """Rate a case online through the ratings service (five levels, once per channel, editable
    within its window; a bad rating opens a rectification)."""
    from bianmin.ratings.services import rating_submit as ratings_rating_submit

    return ratings_rating_submit(
        case=case, level=level, comment=comment, channel="online", phone_tail=phone_tail
    )
