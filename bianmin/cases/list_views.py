"""The staff case list (办件查询): one search box and filters over the cases in the viewer's
scope, or a queue's cases, newest first; the same selector as `GET /api/v1/cases`.

Rows show ID numbers and phones masked (DESIGN.md: masked wherever a person without need sees
them); the whole number is on the case page, where each view is logged.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.common.forms import as_id
from bianmin.common.inputs import parse_date
from bianmin.common.refusals import ANY, on_refusal
from bianmin.common.validators import mask_phone
from bianmin.orgs.models import Region, Unit

from . import selectors
from .models import Channel, State
from .pages import QUEUE_LABELS, base_context, case_row, scope_of

# The page's parameters (`from` and `to`: the selector's submitted_from / submitted_to).
FILTERS = ("q", "state", "queue", "item", "channel", "from", "to")
# Filters the supervision dashboard's counts link with (`selectors.case_list`): a region's
# subtree (`own=1`: the region itself), the unit holding the case, unfinished cases only, and the
# colour of the worst running clock. The form carries them on as hidden fields.
LINKED = ("region", "own", "unit", "open", "colour")
COLOUR_LABELS = {
    "green": gettext_lazy("正常"),
    "yellow": gettext_lazy("预警"),
    "red": gettext_lazy("超时"),
}
YES, NO = frozenset({"1", "true", "on", "yes"}), frozenset({"0", "false", "off", "no"})


def _overdue(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValidationFailed(_("超期筛选值无效：%(v)s") % {"v": value}, field="overdue")


def _day(value: str, label: str):
    return parse_date(value, field=label) if value else None


def _unit(value: str) -> int | None:
    if not value:
        return None
    pk = as_id(value)
    if pk is None:
        raise ValidationFailed(_("单位编号无效：%(v)s") % {"v": value[:20]}, field="unit")
    return pk


def _linked_note(params: dict) -> str:
    """The linked filters in words, so the list says what it counts."""
    parts = []
    if params["region"]:
        region = Region.objects.filter(code=params["region"]).first()
        name = region.name if region else params["region"]
        parts.append(_("区划：%(r)s") % {"r": name} + (_("（本级）") if params["own"] else ""))
    if as_id(params["unit"]):
        unit = Unit.objects.filter(pk=as_id(params["unit"])).first()
        if unit is not None:
            parts.append(_("当前单位：%(u)s") % {"u": unit.name})
    if params["open"] in YES:
        parts.append(_("在办"))
    if params["colour"] in COLOUR_LABELS:
        parts.append(_("时限：%(c)s") % {"c": COLOUR_LABELS[params["colour"]]})
    return " · ".join(str(p) for p in parts)


def channel_choices() -> list[tuple[str, str]]:
    """Channels by what staff call them: a proxy case may be a village's or a hall's."""
    return [(v, _("代办") if v == Channel.PROXY else str(label)) for v, label in Channel.choices]


def _params(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip() for key in (*FILTERS, *LINKED, "overdue")}


def _list_context(request: HttpRequest, params: dict[str, str]) -> dict:
    return {
        **base_context(request),
        **params,
        "states": State.choices,
        "queues": list(QUEUE_LABELS.items()),
        "channels": channel_choices(),
        "queue_label": QUEUE_LABELS.get(params["queue"], ""),
        "filtered": any(params[k] for k in FILTERS if k != "q") or bool(params["overdue"]),
        "linked": [(k, params[k]) for k in LINKED if params[k]],
        "linked_note": _linked_note(params),
        "rows": [],
    }


def _list_refused(request: HttpRequest, e: DomainError) -> HttpResponse:
    """The form with what was typed and the refusal (of access too), at the error's status."""
    ctx = _list_context(request, _params(request))
    return render(request, "cases/list.html", {**ctx, "error": e.message}, status=e.status)


@login_required
@require_GET
@on_refusal(_list_refused, errors=ANY)
def case_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the viewer's cases (`selectors.case_list`); a bad filter value is
    answered with its message in Chinese and status 422, and the form keeps what was typed."""
    params = _params(request)
    ctx = _list_context(request, params)
    page = selectors.case_list(
        viewer=request.user,
        q=params["q"] or None,
        state=params["state"] or None,
        queue=params["queue"] or None,
        item=params["item"] or None,
        channel=params["channel"] or None,
        submitted_from=_day(params["from"], _("起始日期")),
        submitted_to=_day(params["to"], _("截止日期")),
        overdue=_overdue(params["overdue"]),
        region=params["region"] or None,
        own_region=params["own"] in YES,
        unit=_unit(params["unit"]),
        unfinished=params["open"] in YES,
        colour=params["colour"] or None,
        cursor=request.GET.get("cursor") or None,
        scope=scope_of(request),
    )
    query = request.GET.copy()
    if page.next_cursor:
        query["cursor"] = page.next_cursor
    ctx.update(
        rows=[{**case_row(c), "masked_phone": mask_phone(c.phone)} for c in page.items],
        has_more=bool(page.next_cursor),
        next_query=query.urlencode(),
        searched=any(params.values()),
    )
    return render(request, "cases/list.html", ctx)
