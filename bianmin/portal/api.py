"""Public JSON API (/api/v1/public/): status lookup, online rating and complaint lookup, no login.

Each endpoint takes the case (or complaint) number and the last four digits of the phone given;
a wrong pair is a 404 that looks the same whether the number exists or not. After a few wrong
pairs for a number or from an address (`bianmin.common.throttle`) the answer is 403
`captcha_required`: fetch a picture challenge from `GET /public/challenge`, show its image, and
send its `captcha_key` with what the person typed as `captcha_value` (a wrong or expired answer is
403 `captcha_invalid`; each challenge is good for one try). An address that floods is refused
with 429 and `Retry-After`.
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bianmin.common.challenge import Answer, challenge_new
from bianmin.common.schemas import NOTE, PUBLIC_ERRORS, ErrorOut, Identifier, LongText, Text, choice
from bianmin.ratings.models import Level

from . import selectors, services
from .status_views import client_ip

router = Router(tags=["public"])

KEY_HELP = "the `key` of a picture challenge, when one is asked for (403 captcha_required)"
VALUE_HELP = "the characters the person read from that challenge's image"
CAPTCHA_KEY = Query("", description=KEY_HELP)
CAPTCHA_VALUE = Query("", description=VALUE_HELP)


class Step(Schema):
    at: str
    text: str
    unit: str


class RectificationStatusOut(Schema):
    number: str = Field(description="整改编号, asked for by the follow-up rating")
    state_label: str
    outcome_label: str
    measures: str = Field(description="what the unit did, or its explanation")
    fix_due: str | None
    rectified_on: str | None
    follow_up_open: bool = Field(description="the one follow-up rating can be given now")


class CaseStatusOut(Schema):
    number: str
    item: str
    state: str
    state_label: str
    applicant: str = Field(description="masked")
    submitted_on: str
    accepted_on: str | None
    due_on: str | None = Field(
        description="the date the applicant was given: the proxy deadline (代办承诺办结日期) of a "
        "proxied case, else the promised date; null while the deciding unit's clock has not "
        "started (see due_text)"
    )
    due_label: str = Field(description="代办承诺办结日期, 承诺办结日期 or 承诺办结时限")
    due_text: str = Field(description="the date, or the promised limit in working days")
    days_used: int | None
    days_left: int | None
    overdue: bool
    where: str
    next_step: str
    reasons: str
    missing_materials: list[str]
    timeline: list[Step]
    can_rate: bool
    rectifications: list[RectificationStatusOut]


class ChallengeError(ErrorOut):
    code: str = Field(description="captcha_required | captcha_invalid")
    challenge_url: str = Field(description="where to fetch a picture challenge")


class ChallengeOut(Schema):
    key: str = Field(description="send back as captcha_key")
    image_url: str = Field(description="the picture (PNG) to show")
    image_url_2x: str = Field(description="the same picture at twice the size")


@router.get(
    "/challenge",
    response=ChallengeOut,
    summary="A picture challenge (图片验证码) for a lookup that answered captcha_required",
    description="Good for one answer within five minutes. The image is served by this server.",
)
def challenge(request):
    return challenge_new()


def _out(case) -> dict:
    s = selectors.status_summary(case)
    return {
        "number": s["number"],
        "item": s["item"],
        "state": s["state"],
        "state_label": str(s["state_label"]),
        "applicant": s["applicant"],
        "submitted_on": str(s["submitted_on"]),
        "accepted_on": str(s["accepted_on"]) if s["accepted_on"] else None,
        "due_on": str(s["due_on"]) if s["due_on"] else None,
        "due_label": str(s["due"]["label"]),
        "due_text": str(s["due"]["text"]),
        "days_used": s["days_used"],
        "days_left": s["days_left"],
        "overdue": s["overdue"],
        "where": s["where"].name,
        "next_step": str(s["next_step"]),
        "reasons": s["reasons"],
        "missing_materials": [m["name"] for m in s["notice"].materials] if s["notice"] else [],
        "timeline": [
            {"at": e["at"].isoformat(), "text": str(e["text"]), "unit": e["unit"]}
            for e in s["timeline"]
        ],
        "can_rate": s["can_rate"],
        "rectifications": [
            {
                "number": r.number,
                "state_label": str(r.state_label),
                "outcome_label": str(r.outcome_label),
                "measures": r.measures,
                "fix_due": str(r.fix_due) if r.fix_due else None,
                "rectified_on": str(r.rectified_on) if r.rectified_on else None,
                "follow_up_open": r.follow_up_open,
            }
            for r in s["rectifications"]
        ],
    }


@router.get(
    "/cases/{number}",
    response={200: CaseStatusOut, **PUBLIC_ERRORS, 403: ChallengeError},
    summary="Case status by number and the last four digits of the applicant's phone",
)
def case_status(
    request,
    number: Identifier[40],
    phone_tail: Identifier[4],
    captcha_key: Text[40] = CAPTCHA_KEY,
    captcha_value: Text[32] = CAPTCHA_VALUE,
):
    case = services.status_verify(
        number=number,
        phone_tail=phone_tail,
        ip=client_ip(request),
        answer=Answer(key=captcha_key, value=captcha_value),
    )
    return _out(case)


class RatingIn(Schema):
    phone_tail: Identifier[4]
    level: choice(Level.values)
    comment: LongText[NOTE] = ""
    captcha_key: Text[40] = Field("", description=KEY_HELP)
    captcha_value: Text[32] = Field("", description=VALUE_HELP)


class RatingOut(Schema):
    number: str
    level: int
    comment: str
    detail: str


@router.post(
    "/cases/{number}/rating",
    response={200: RatingOut, **PUBLIC_ERRORS, 403: ChallengeError},
    summary="Rate a concluded case online (five levels, editable within the rating window)",
)
def case_rate(request, number: Identifier[40], payload: RatingIn):
    case = services.status_verify(
        number=number,
        phone_tail=payload.phone_tail,
        ip=client_ip(request),
        answer=Answer(key=payload.captcha_key, value=payload.captcha_value),
    )
    rating = services.rating_submit(
        case=case, level=payload.level, comment=payload.comment, phone_tail=payload.phone_tail
    )
    return {
        "number": case.number,
        "level": rating.level,
        "comment": rating.comment,
        "detail": _("感谢您的评价"),
    }


class ComplaintStatusOut(Schema):
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    unit: str
    filed_on: str
    decide_due: str
    reply_due: str
    decided_on: str | None
    outcome: str = Field(description="upheld | partly_upheld | not_upheld, empty until decided")
    outcome_label: str
    replied_on: str | None
    reply: str


@router.get(
    "/complaints/{number}",
    response={200: ComplaintStatusOut, **PUBLIC_ERRORS, 403: ChallengeError},
    summary="Complaint decision, verified outcome and reply by number and phone digits",
)
def complaint_status(
    request,
    number: Identifier[40],
    phone_tail: Identifier[4],
    captcha_key: Text[40] = CAPTCHA_KEY,
    captcha_value: Text[32] = CAPTCHA_VALUE,
):
    c = services.complaint_lookup(
        number=number,
        phone_tail=phone_tail,
        ip=client_ip(request),
        answer=Answer(key=captcha_key, value=captcha_value),
    )
    return {
        "number": c.number,
        "kind": c.kind,
        "kind_label": str(c.kind_label),
        "status": c.status,
        "status_label": str(c.status_label),
        "unit": c.unit_name,
        "filed_on": str(c.filed_on),
        "decide_due": str(c.decide_due),
        "reply_due": str(c.reply_due),
        "decided_on": str(c.decided_on) if c.decided_on else None,
        "outcome": c.outcome,
        "outcome_label": str(c.outcome_label),
        "replied_on": str(c.replied_on) if c.replied_on else None,
        "reply": c.reply,
    }
