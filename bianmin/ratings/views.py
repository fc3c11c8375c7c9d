"""Staff pages of rectification (差评整改), the applicant's follow-up page and the on-site rating
pad (评价器) a staff member hands over after delivery; thin over services."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bianmin.common.challenge import Answer, ChallengeRequired, challenge_new, with_retry_after
from bianmin.common.errors import Conflict, DomainError, ValidationFailed
from bianmin.common.forms import posted_text
from bianmin.common.inputs import LONG_TEXT_MAX
from bianmin.common.paging import paginate
from bianmin.common.refusals import ANY, attempt, on_refusal

from . import selectors
from .inputs import posted_comment
from .models import (
    BAD_LEVELS,
    INDICATORS,
    AppealReason,
    Level,
    RatingChannel,
    RectState,
)
from .rectification import (
    ACTION_LABELS,
    actions_for,
    follow_up_verify,
    rating_follow_up,
    rectification_act,
    rectify_workdays,
)
from .services import ONSITE_ALREADY_RATED, RATEABLE_STATES, rating_submit

ACTION_FIELDS = {
    "call_back": ("contacted", "findings"),
    "fix_now": ("measures",),
    "fix_by_deadline": ("measures", "fix_days"),
    "explain": ("measures",),
    "complete": ("measures",),
    "appeal": ("appeal_reason", "appeal_text"),
    "uphold_appeal": ("reasons",),
    "reject_appeal": ("reasons",),
    "close": (),
}


@login_required
def queue(request):
    state = request.GET.get("state") or ""
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    rows = selectors.rectification_list(
        viewer=request.user,
        state=state if state in RectState.values else None,
        overdue_on=today if overdue else None,
    )
    page = paginate(request, rows.order_by("-pk"))
    overdue_ids = set(
        rows.filter(selectors.overdue_q(today), pk__in=[r.pk for r in page]).values_list(
            "pk", flat=True
        )
    )
    return render(
        request,
        "ratings/queue.html",
        {
            "rows": page,
            "page": page,
            "states": RectState.choices,
            "state": state,
            "overdue": overdue,
            "overdue_ids": overdue_ids,
        },
    )


@login_required
def detail(request, pk: int):
    rect = selectors.rectification_get(viewer=request.user, pk=pk)
    allowed = actions_for(rect, request.user)
    return render(
        request,
        "ratings/detail.html",
        {
            "rect": rect,
            "events": rect.events.select_related("actor__staff"),
            "actions": [(a, ACTION_LABELS[a], ACTION_FIELDS.get(a, ())) for a in allowed],
            "appeal_reasons": AppealReason.choices,
            "fix_days": rectify_workdays(),
            "labels": ACTION_LABELS,
            "overdue": rect
            in selectors.rectification_list(viewer=request.user, overdue_on=timezone.localdate()),
            "follow_up": getattr(rect.rating, "follow_up", None),
        },
    )


@login_required
@require_POST
def act(request, pk: int):
    rect = selectors.rectification_get(viewer=request.user, pk=pk)
    action = request.POST.get("action", "")

    def run() -> None:
        params = {
            f: posted_text(request.POST, f, max_length=LONG_TEXT_MAX, multiline=True)
            for f in ACTION_FIELDS.get(action, ())
        }
        if "contacted" in params:
            params["contacted"] = request.POST.get("contacted") == "1"
        rectification_act(
            rectification=rect,
            action=action,
            actor=request.user,
            expected_version=request.POST.get("lock_version") or None,
            **params,
        )

    # Any refusal of the action, of access too, is a message on the rectification's page.
    attempt(request, run, _("已保存：%(a)s") % {"a": ACTION_LABELS.get(action, action)}, errors=ANY)
    return redirect("ratings:detail", pk=rect.pk)


def _follow_up_context(request) -> dict:
    data = request.POST if request.method == "POST" else request.GET
    return {"levels": Level.choices, "done": None, "error": None, "data": data}


def _follow_up_refused(request, e: DomainError):
    """The form again with what was typed, the refusal, a picture challenge when one is now
    needed and `Retry-After` on a 429."""
    context = {**_follow_up_context(request), "error": e.message}
    if isinstance(e, ChallengeRequired):
        context["challenge"] = challenge_new()
    response = render(request, "ratings/follow_up.html", context, status=e.status)
    return with_retry_after(response, e)


@on_refusal(_follow_up_refused, errors=ANY)
def follow_up(request):
    """Public page: the applicant's one follow-up rating, by rectification number and phone tail
    (wrong pairs are counted per address and per number and then call for a picture challenge,
    see `follow_up_verify`). The case's public status page links here with the rectification
    number filled in (`?number=`). "换一张" (a new picture) posts here too and checks nothing."""
    context = _follow_up_context(request)
    if request.method == "POST" and request.POST.get("refresh"):
        context["challenge"] = challenge_new()
    elif request.method == "POST":
        tail = request.POST.get("phone_tail", "").strip()
        rect = follow_up_verify(
            number=request.POST.get("number", ""),
            phone_tail=tail,
            ip=request.META.get("REMOTE_ADDR", ""),
            answer=Answer.from_data(request.POST),
        )
        context["done"] = rating_follow_up(
            rectification=rect,
            level=request.POST.get("level"),
            comment=posted_comment(request.POST),
            phone_tail=tail,
            actor=request.user if request.user.is_authenticated else None,
        )
    return render(request, "ratings/follow_up.html", context)


# -- on-site rating (评价器) ------------------------------------------------------------------

# The faces of the rating pad, best first as on a hall's rating pad (GB/T 39734).
FACES = tuple((int(level), level.label) for level in sorted(Level, reverse=True))
# The optional on-site indicators besides the overall level (RULES.md "Ratings").
ONSITE_INDICATORS = tuple(
    (key, label) for key, label in INDICATORS[RatingChannel.ONSITE].items() if key != "overall"
)


def _onsite_page(request, case, *, status: int = 200, **extra):
    """The full-screen pages the applicant sees: the item and the unit, nothing personal."""
    template = extra.pop("template", "ratings/onsite.html")
    context = {
        "item_name": case.title,
        "unit_name": case.intake_unit.name,
        "number": case.number,
        "case_url": reverse("cases:detail", args=[case.number]),
        **extra,
    }
    return render(request, template, context, status=status)


def _closed_reason(case) -> str:
    if case.state not in RATEABLE_STATES:
        return _("办件有办理结果后才能现场评价。")
    return str(ONSITE_ALREADY_RATED)


def _onsite_posted(request) -> dict:
    return {
        "level": request.POST.get("level", ""),
        "comment": request.POST.get("comment", ""),
        **{f"ind_{key}": request.POST.get(f"ind_{key}", "") for key, _l in ONSITE_INDICATORS},
    }


def _onsite_form(request, case, posted: dict, error: str = ""):
    return _onsite_page(
        request,
        case,
        status=422 if error else 200,
        faces=FACES,
        indicators=[(key, label, posted.get(f"ind_{key}", "")) for key, label in ONSITE_INDICATORS],
        posted=posted,
        error=error,
    )


def _onsite_refused(request, e: DomainError, number: str):
    """Rated meanwhile (another device) or no result any more: the closed page (409); a value
    refused: the pad again with what was chosen (422)."""
    case = selectors.onsite_case_get(viewer=request.user, number=number)
    if isinstance(e, Conflict):
        return _onsite_page(
            request, case, status=409, template="ratings/onsite_closed.html", reason=e.message
        )
    return _onsite_form(request, case, _onsite_posted(request), e.message)


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_onsite_refused, errors=(Conflict, ValidationFailed))
def onsite(request, number: str):
    """The rating pad locked to one case: five faces, the optional on-site indicators and a
    comment; one rating per case on site (`rating_submit`, channel onsite, the staff member who
    hands the device over as actor). Only staff who may act for the case's intake unit open it
    (`selectors.onsite_case_get`), only once the case has a result."""
    case = selectors.onsite_case_get(viewer=request.user, number=number)
    if not selectors.onsite_rating_open(case):
        # Shown as a page (the staff member reads why); a refused submission is a conflict.
        return _onsite_page(
            request,
            case,
            status=409 if request.method == "POST" else 200,
            template="ratings/onsite_closed.html",
            reason=_closed_reason(case),
        )
    if request.method != "POST":
        return _onsite_form(request, case, {})
    posted = _onsite_posted(request)
    if not posted["level"]:
        return _onsite_form(request, case, posted, _("请先选择一个表情，对本次服务作出总体评价。"))
    rating_submit(
        case=case,
        level=posted["level"],
        comment=posted_comment(posted),
        channel=RatingChannel.ONSITE,
        indicators={
            key: posted[f"ind_{key}"] for key, _l in ONSITE_INDICATORS if posted[f"ind_{key}"]
        },
        actor=request.user,
    )
    return redirect("ratings:onsite_done", number=case.number)


@login_required
@require_http_methods(["GET"])
def onsite_done(request, number: str):
    """The thank-you page after an on-site rating, with the one way back for the staff member."""
    case = selectors.onsite_case_get(viewer=request.user, number=number)
    rating = selectors.onsite_rating_of(case)
    if rating is None:
        return redirect("ratings:onsite", number=case.number)
    return _onsite_page(
        request, case, template="ratings/onsite_done.html", bad=rating.level in BAD_LEVELS
    )
