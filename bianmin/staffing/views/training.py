"""Training pages: sessions in scope, recording a session and its attendees (the organiser's
managers), one session with who attended, a person's sessions, and organisers short of their duty."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.common.forms import as_id, posted_ids, posted_text
from bianmin.common.inputs import EARLIEST_DATE, LONG_TEXT_MAX, bounded_int, latest_date
from bianmin.common.refusals import attempt, on_refusal
from bianmin.orgs.models import Staff, Unit, UnitKind

from .. import selectors, services
from ..models import TrainingAudience, TrainingSession
from .common import parse_date


def _year(request) -> int:
    this_year = timezone.localdate().year
    raw = request.GET.get("year")
    if not raw:
        return this_year
    try:
        return bounded_int(raw, field=_("年份"), lo=EARLIEST_DATE.year, hi=latest_date().year)
    except ValidationFailed as e:
        messages.error(request, e.message)
        return this_year


def by_township(people: list[Staff], ticked: set[int]) -> list[dict]:
    """Attendee checkboxes grouped by township centre (its staff, windows and villages); a group
    with a ticked person opens, so a form sent back shows what was ticked."""
    groups: dict[int, dict] = {}
    for s in people:
        unit = s.unit
        centre = unit if unit.kind == UnitKind.TOWNSHIP_CENTRE else unit.parent or unit
        g = groups.setdefault(centre.pk, {"name": centre.name, "people": [], "open": False})
        g["people"].append((s, s.pk in ticked))
        g["open"] |= s.pk in ticked
    return list(groups.values())


def _form_context(request, organiser: Unit | None, typed: dict | None = None) -> dict:
    """The recording form: the organisers the user may record for, and the township and village
    staff of the chosen organiser's county to tick as attendees."""
    organisers = selectors.training_organisers_for(actor=request.user)
    if organiser is None and organisers:
        organiser = organisers[0]
    ticked = {int(x) for x in (typed or {}).get("attendees", []) if str(x).isdigit()}
    return {
        "organisers": organisers,
        "organiser": organiser,
        "groups": by_township(selectors.training_candidates(organiser=organiser), ticked)
        if organiser
        else [],
        "audiences": TrainingAudience.choices,
        "typed": typed or {},
        "today": timezone.localdate(),
    }


def _sessions_page(request, *, organiser=None, typed=None, status=200):
    year = _year(request)
    return render(
        request,
        "staffing/training.html",
        {
            "year": year,
            "sessions": selectors.training_sessions(viewer=request.user, year=year),
            **_form_context(request, organiser, typed),
        },
        status=status,
    )


@login_required
def sessions(request):
    organiser = None
    if request.GET.get("organiser"):
        organiser = next(
            (
                u
                for u in selectors.training_organisers_for(actor=request.user)
                if str(u.pk) == request.GET["organiser"]
            ),
            None,
        )
    return _sessions_page(request, organiser=organiser)


def _organiser_posted(request) -> Unit | None:
    return Unit.objects.filter(pk=as_id(request.POST.get("organiser", "")) or 0).first()


def _typed(post) -> dict:
    typed = {k: post.get(k, "") for k in ("topic", "date", "hours", "audience", "note")}
    typed["attendees"] = post.getlist("attendees")
    return typed


def _session_refused(request, e: DomainError):
    # The form comes back with what was typed and ticked.
    messages.error(request, e.message)
    organiser = _organiser_posted(request)
    return _sessions_page(request, organiser=organiser, typed=_typed(request.POST), status=400)


@login_required
@require_POST
@on_refusal(_session_refused)
def session_new(request):
    p = request.POST
    organiser = _organiser_posted(request)
    if organiser is None or not selectors.can_record_training(request.user, organiser):
        raise DjangoPermissionDenied(_("只有组织单位的负责人或管理员可以登记其培训"))
    typed = _typed(p)
    attendees = list(
        Staff.objects.filter(pk__in=posted_ids(p, "attendees")).select_related(
            "unit__parent", "unit__region"
        )
    )
    session = services.training_session_create(
        actor=request.user,
        topic=posted_text(p, "topic", model=TrainingSession),
        organiser=organiser,
        date=parse_date(typed["date"]),
        hours=typed["hours"],
        audience=typed["audience"],
        attendees=attendees,
        note=posted_text(p, "note", max_length=LONG_TEXT_MAX, label=_("备注"), multiline=True),
    )
    messages.success(request, _("培训已登记，参训 %(n)s 人") % {"n": session.rows.count()})
    return redirect("staffing:training_session", session.pk)


def _session(request, pk: int):
    return selectors.training_session_get(viewer=request.user, pk=pk)


@login_required
def session(request, pk: int):
    s = _session(request, pk)
    can_record = selectors.can_record_training(request.user, s.organiser)
    attended = {r.staff_id for r in s.rows.all()}
    return render(
        request,
        "staffing/training_session.html",
        {
            "s": s,
            "can_record": can_record,
            "linkable": selectors.training_records_visible(viewer=request.user, staff_ids=attended),
            "groups": by_township(
                [
                    c
                    for c in selectors.training_candidates(organiser=s.organiser)
                    if c.pk not in attended
                ],
                set(),
            )
            if can_record
            else [],
        },
    )


@login_required
@require_POST
def session_attend(request, pk: int):
    s = _session(request, pk)
    attendees = list(
        Staff.objects.filter(pk__in=posted_ids(request.POST, "attendees")).select_related(
            "unit__parent", "unit__region"
        )
    )
    attempt(
        request,
        lambda: services.training_attendance_add(
            session=s, attendees=attendees, actor=request.user
        ),
        _("已补登参训人员"),
    )
    return redirect("staffing:training_session", s.pk)


def _record_page(request, staff: Staff, *, mine: bool):
    record = selectors.training_record(viewer=request.user, staff=staff, year=_year(request))
    return render(request, "staffing/training_person.html", {"record": record, "mine": mine})


@login_required
def mine(request):
    staff = getattr(request.user, "staff", None)
    if staff is None:
        raise Http404
    return _record_page(request, staff, mine=True)


@login_required
def person(request, staff_id: int):
    staff = get_object_or_404(Staff.objects.select_related("unit"), pk=staff_id)
    return _record_page(request, staff, mine=staff.user_id == request.user.pk)


@login_required
def shortfall(request):
    year = _year(request)
    duties = selectors.training_duties(viewer=request.user, year=year)
    return render(
        request,
        "staffing/training_shortfall.html",
        {
            "year": year,
            "short": [d for d in duties if d.short],
            "met": [d for d in duties if not d.short],
            "duty": selectors.training_duty(),
        },
    )
