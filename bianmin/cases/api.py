"""The cases API (/api/v1/cases): thin handlers over `services` and `selectors`."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from bianmin.api.auth import staff_auth
from bianmin.catalog.models import Item, ItemVersion
from bianmin.common.errors import NotFound, ValidationFailed
from bianmin.common.schemas import (
    STAFF_ERRORS,
    Day,
    Id,
    Identifier,
    Limit,
    Month,
    Text,
    choice,
)
from bianmin.orgs.models import Unit

from . import errand_selectors, selectors, services, workflow
from .errand_schemas import AgentMoneyOut, ErrandCreateIn, ErrandOut, errand_out
from .models import Channel, State
from .privacy import id_number_shown
from .schemas import CaseActionIn, CaseCreateIn, CaseDetail, CaseEventOut, CasePage, case_out

router = Router(tags=["cases"], auth=staff_auth)


def _version(payload: CaseCreateIn) -> ItemVersion:
    if payload.item_version:
        version = ItemVersion.objects.filter(pk=payload.item_version).first()
    elif payload.item:
        item = Item.objects.filter(local_code=payload.item).select_related("published_version")
        version = item.first().published_version if item.exists() else None
    else:
        raise ValidationFailed(_("请指定事项"), field="item")
    if version is None:
        raise NotFound(_("事项不存在或未发布"))
    return version


@router.post("", response={201: CaseDetail, **STAFF_ERRORS}, summary="Open a case (收件/委托)")
def case_create(request, payload: CaseCreateIn):
    unit = None
    if payload.unit is not None:
        unit = Unit.objects.filter(pk=payload.unit).first()
        if unit is None:
            raise ValidationFailed(_("收件单位不存在"), field="unit")
    data = payload.dict(exclude={"item", "item_version", "unit"})
    case = services.case_register(
        actor=request.auth, item_version=_version(payload), unit=unit, **data
    )
    return Status(201, case_out(case, detail=True, actor=request.auth))


class ListQuery(Schema):
    """Filters of the case list; the search and its checks are `selectors.case_list`'s, so a
    bad value gets the same Chinese message as on the page (422 with the field named)."""

    state: choice(State.values) | None = None
    unit: Id | None = None
    overdue: bool | None = None
    queue: choice(selectors.QUEUES) | None = None
    cursor: Identifier[200] | None = None
    limit: Limit(200) = 50
    q: Identifier[100] | None = None  # case number (or prefix), name, ID number, phone (or tail)
    item: Text[200] | None = None  # item name contains
    channel: choice(Channel.values) | None = None
    # Intake dates, YYYY-MM-DD, inclusive.
    submitted_from: Day | None = None
    submitted_to: Day | None = None
    # The dashboard's counts link here: a region subtree (`own` for the region itself), open
    # cases only, the dashboard's clock colour.
    region: Identifier[12] | None = None
    own: bool = False
    open: bool = False
    colour: choice(["green", "yellow", "red"]) | None = None


@router.get(
    "", response={200: CasePage, **STAFF_ERRORS}, summary="Search the cases in the caller's scope"
)
def case_list(request, q: Query[ListQuery]):
    """Newest first, keyset-paginated (`next_cursor`); ID numbers and phones masked."""
    filters = q.dict(exclude={"own", "open"})
    page = selectors.case_list(viewer=request.auth, own_region=q.own, unfinished=q.open, **filters)
    return {"items": [case_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/queues",
    response={200: dict, **STAFF_ERRORS},
    summary="The caller's work queues (counts and first cases)",
)
def work_queues(request):
    queues = selectors.work_queues(viewer=request.auth)
    return {
        name: {"count": q["count"], "items": [case_out(c) for c in q["items"]]}
        for name, q in queues.items()
    }


@router.post(
    "/errands", response={201: ErrandOut, **STAFF_ERRORS}, summary="Open an errand (便民服务)"
)
def errand_create(request, payload: ErrandCreateIn):
    case = services.errand_register(actor=request.auth, **payload.dict())
    return Status(201, errand_out(case, detail=True, actor=request.auth))


ERRAND_STATES = (State.ERRAND_OPEN, State.ERRAND_DONE, State.HANDED_OVER, State.CANCELLED)


class ErrandQuery(Schema):
    state: choice([s.value for s in ERRAND_STATES]) | None = None
    limit: Limit(500) = 100


@router.get(
    "/errands",
    response={200: list[ErrandOut], **STAFF_ERRORS},
    summary="Errands in the caller's scope",
)
def errand_list(request, q: Query[ErrandQuery]):
    return [
        errand_out(c, actor=request.auth)
        for c in errand_selectors.errand_list(viewer=request.auth, **q.dict())
    ]


@router.get(
    "/errands/queues",
    response={200: dict, **STAFF_ERRORS},
    summary="The caller's errand queues, apart from case queues",
)
def errand_queues(request):
    queues = errand_selectors.errand_queues(viewer=request.auth)
    return {
        name: {
            "count": q["count"],
            "items": [errand_out(c, actor=request.auth) for c in q["items"]],
        }
        for name, q in queues.items()
    }


class MonthQuery(Schema):
    month: Month


@router.get(
    "/errands/money",
    response={200: list[AgentMoneyOut], **STAFF_ERRORS},
    summary="Errand money per agent in a month",
)
def errand_money(request, q: Query[MonthQuery]):
    month = q.month
    return [
        {
            "agent_id": r.agent_id,
            "agent": r.agent,
            "unit": r.unit,
            "entries": r.entries,
            "money_in": str(r.money_in),
            "money_out": str(r.money_out),
            "held": str(r.held),
        }
        for r in errand_selectors.errand_money_by_agent(viewer=request.auth, month=month)
    ]


@router.get(
    "/errands/{number}",
    response={200: ErrandOut, **STAFF_ERRORS},
    summary="One errand with its money",
)
def errand_detail(request, number: Identifier[40]):
    errand = errand_selectors.errand_get(viewer=request.auth, number=number)
    return errand_out(errand, detail=True, actor=request.auth)


@router.get(
    "/{number}", response={200: CaseDetail, **STAFF_ERRORS}, summary="One case (the view is logged)"
)
def case_detail(request, number: Identifier[40]):
    case = selectors.case_get(viewer=request.auth, number=number)
    shown = id_number_shown(viewer=request.auth, case=case, channel="api")
    return case_out(case, detail=True, actor=request.auth, id_number=shown)


@router.post(
    "/{number}/actions/{action}",
    response={200: CaseDetail | ErrandOut, **STAFF_ERRORS},
    summary="Take an action (on a case or an errand)",
)
def case_action(
    request,
    number: Identifier[40],
    action: choice(sorted(workflow.ACTIONS)),
    payload: CaseActionIn,
):
    case = selectors.case_get(viewer=request.auth, number=number, log=False, errands=True)
    params = payload.dict(exclude_unset=True)
    case = services.case_transition(
        case=case,
        action=action,
        actor=request.auth,
        expected_version=params.pop("expected_version", None),
        note=params.pop("note", ""),
        **params,
    )
    if case.is_errand:
        return errand_out(case, detail=True, actor=request.auth)
    return case_out(case, detail=True, actor=request.auth)


@router.get(
    "/{number}/events",
    response={200: list[CaseEventOut], **STAFF_ERRORS},
    summary="The case timeline",
)
def case_events(request, number: Identifier[40]):
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "action": e.action,
            "action_label": str(workflow.ACTION_LABELS.get(e.action, e.action)),
            "actor": e.actor_name,
            "unit": e.unit.name if e.unit_id else None,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "note": e.note,
            "data": e.data,
            "hash": e.hash,
        }
        for e in selectors.case_timeline(viewer=request.auth, number=number)
    ]
