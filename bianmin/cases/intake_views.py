"""Opening a case at a unit (收件登记 / 委托代办): the intake page, its item search and the
chosen item's checklist.

One item field: the page posts the id of the chosen published version (`item`). The search box
asks `intake_items` for matches as the user types (htmx), and choosing one asks `intake_pick`
for the chosen item and its checklist, swapped into the same form without a reload, so nothing
typed is lost. Without JavaScript the search box submits a GET form and each result is a link
that opens the page with that item chosen.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bianmin.catalog.models import ItemVersion, Tier
from bianmin.catalog.search import item_search, items_published_for
from bianmin.catalog.selectors import item_list_published
from bianmin.common.errors import DomainError
from bianmin.common.forms import as_id
from bianmin.common.refusals import ANY, on_refusal
from bianmin.orgs.models import Unit, UnitKind

from .files import files_from_request
from .forms import IntakeForm
from .models import ApplicantKind, Channel
from .pages import base_context, can_open, staff_of
from .services import case_register

# The service names its arguments; the page names its fields.
INTAKE_FIELD_MAP = {
    "contact": "contact_name",
    "item_version": "item",
    "entrustment_signed": "entrusted",
    "entrustment_text": "entrustment_text",
}
# A hall takes requests at the window, by appointment, on a home visit, or as a proxy on the
# applicant's entrustment (沂水 2016: halls may take proxy requests directly). Online
# applications come in only from the applicant (`case_submit_online`).
HALL_CHANNELS = (Channel.WINDOW, Channel.APPOINTMENT, Channel.HOME_VISIT, Channel.PROXY)
SEARCH_RESULTS = 20


def _intake_unit(request: HttpRequest) -> Unit:
    """The unit the viewer takes cases in for; 403 for those who may not open cases."""
    staff = staff_of(request)
    if staff is None or staff.unit is None or not can_open(request):
        raise DjangoPermissionDenied(_("您的账号不能登记办件"))
    return staff.unit


def _tiers(unit: Unit) -> tuple[str, ...]:
    """Whose items `unit` may take in: a village station the items villages may take
    (village-proxyable or village-accepted); a hall the items accepted at its own tier and, on
    an applicant's entrustment (channel proxy), also the items villages may take (沂水 2016)."""
    if unit.kind == UnitKind.VILLAGE_STATION:
        return (Tier.VILLAGE,)
    return (unit.tier, Tier.VILLAGE)


def _items(unit: Unit) -> QuerySet[ItemVersion]:
    return items_published_for(_tiers(unit))


def _window_items(unit: Unit) -> QuerySet[ItemVersion] | None:
    """At a hall, the items it takes in at its own window (any channel); None at a station."""
    if unit.kind == UnitKind.VILLAGE_STATION:
        return None
    return item_list_published(tier=unit.tier)


def _proxy_only(unit: Unit, versions: list[ItemVersion]) -> set[int]:
    """Which of `versions` a hall may take only as a proxy (not items of its own tier)."""
    window = _window_items(unit)
    if window is None or not versions:
        return set()
    pks = {v.pk for v in versions}
    return pks - set(window.filter(pk__in=pks).values_list("pk", flat=True))


def _channels(unit: Unit) -> list[tuple[str, str]]:
    """A village station has no choice (always 委托代办); a hall offers `HALL_CHANNELS`."""
    if unit.kind == UnitKind.VILLAGE_STATION:
        return []
    labels = {Channel.PROXY: _("代办（受申请人委托）")}
    return [(c.value, str(labels.get(c, c.label))) for c in HALL_CHANNELS]


def _chosen(items: QuerySet[ItemVersion], raw: str | None) -> ItemVersion | None:
    pk = as_id(raw)
    return items.filter(pk=pk).first() if pk else None


def _intake_page(request: HttpRequest) -> tuple[IntakeForm, dict, Unit]:
    """The form (bound on a POST), the page's context and the unit that takes the case in."""
    unit = _intake_unit(request)
    is_station = unit.kind == UnitKind.VILLAGE_STATION
    items, window_items, channels = _items(unit), _window_items(unit), _channels(unit)
    if request.method == "POST":
        form = IntakeForm(request.POST, items=items, window_items=window_items, channels=channels)
    else:
        form = IntakeForm(
            items=items,
            window_items=window_items,
            channels=channels,
            version=_chosen(items, request.GET.get("item")),
        )
    item_q = request.GET.get("item_q", "").strip()
    results = item_search(q=item_q, tier=_tiers(unit), limit=SEARCH_RESULTS) if item_q else None
    ctx = {
        **base_context(request),
        "form": form,
        "checklist": form.checklist(),
        "unit": unit,
        "is_station": is_station,
        "item_q": item_q,
        "results": results,
        "proxy_only": _proxy_only(unit, results or []),
    }
    return form, ctx, unit


def _intake_refused(request: HttpRequest, e: DomainError) -> HttpResponse:
    """The form again with everything typed, the refusal beside its field when the form has it
    (of access too: the intake page says it in place), at the error's status."""
    form, ctx, _unit = _intake_page(request)
    form.is_valid()
    field = INTAKE_FIELD_MAP.get(e.field or "", e.field)
    if field and field in form.fields:
        form.add_error(field, e.message)
    else:
        ctx["error"] = e.message
    return render(request, "cases/intake.html", ctx, status=e.status)


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_intake_refused, errors=ANY)
def intake(request: HttpRequest) -> HttpResponse:
    """The intake form. GET `?item=<version id>` opens it with that item chosen; GET
    `?item_q=...` lists matching items (the search without JavaScript)."""
    form, ctx, unit = _intake_page(request)
    is_station = unit.kind == UnitKind.VILLAGE_STATION
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        channel = Channel.PROXY if is_station else (d.get("channel") or Channel.WINDOW)
        proxy = channel == Channel.PROXY
        person = d["applicant_kind"] == ApplicantKind.PERSON
        case = case_register(
            actor=request.user,
            item_version=d["item"],
            channel=channel,
            applicant_kind=d["applicant_kind"],
            applicant_name=d["applicant_name"],
            id_number=d.get("id_number", "") if person else "",
            credit_code="" if person else d.get("credit_code", ""),
            phone=d["phone"],
            contact=d.get("contact_name", ""),
            address=d.get("address", ""),
            unit=unit,
            materials=d["materials"],
            entrustment_signed=bool(d.get("entrusted")) if proxy else False,
            entrustment_text=d.get("entrustment_text", "") if proxy else "",
            note=d.get("note", ""),
            files=files_from_request(request),
        )
        return redirect("cases:detail", number=case.number)
    return render(request, "cases/intake.html", ctx, status=400 if form.errors else 200)


@login_required
@require_GET
def intake_items(request: HttpRequest) -> HttpResponse:
    """Items matching `item_q` among those the viewer's unit may take in (an HTML fragment)."""
    unit = _intake_unit(request)
    item_q = request.GET.get("item_q", "").strip()
    results = item_search(q=item_q, tier=_tiers(unit), limit=SEARCH_RESULTS)
    return render(
        request,
        "cases/_intake_results.html",
        {"results": results, "item_q": item_q, "proxy_only": _proxy_only(unit, results)},
    )


@login_required
@require_GET
def intake_pick(request: HttpRequest) -> HttpResponse:
    """The chosen item (the form's one `item` field) and, out of band, its checklist: swapped
    into the intake form in place of the previous choice. An item the unit may not take in is
    answered with a message and no item."""
    unit = _intake_unit(request)
    version = _chosen(_items(unit), request.GET.get("item"))
    form = IntakeForm(window_items=_window_items(unit), channels=_channels(unit), version=version)
    return render(
        request,
        "cases/_intake_pick.html",
        {
            "form": form,
            "checklist": form.checklist(),
            "pick_error": "" if version else _("所选事项不在本单位可办理的范围内，请重新搜索选择"),
        },
    )
