"""The cases API (/api/v1/cases): thin handlers over `services` and `selectors`."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from bianmin.api.auth import staff_auth
from bianmin.catalog.models import Item, ItemVersion
from bianmin.common.errors import NotFound, ValidationFailed
from bianmin.orgs.models import Unit

from . import errand_selectors, selectors, services, workflow
from .privacy import id_number_shown
from .schemas import (
    ActionIn,
    AgentMoneyOut,
    CaseCreateIn,
    CaseDetail,
    CasePage,
    ErrandCreateIn,
    ErrandOut,
    EventOut,
    case_out,
    errand_out,
)

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


@router.post("", response={201: CaseDetail}, summary="Open a case (收件/委托)")
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

    state: str | None = None
    # Database ids: a number past the 64-bit range is a 422 here, not an error in the query.
    unit: int | None = Field(None, ge=1, le=2**63 - 1)
    overdue: bool | None = None
    queue: str | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    q: str | None = None  # case number (or prefix), applicant name, ID number, phone (or tail)
    item: str | None = None  # item name contains
    channel: str | None = None
    # Intake dates, YYYY-MM-DD, inclusive: text here so that the selector words the refusal.
    submitted_from: str | None = None
    submitted_to: str | None = None


@router.get("", response=CasePage, summary="Search the cases in the caller's scope")
def case_list(request, q: Query[ListQuery]):
    """Newest first, keyset-paginated (`next_cursor`); ID numbers and phones masked."""
    page = selectors.case_list(viewer=request.auth, **q.dict())
    return {"items": [case_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/queues", summary="The caller's work queues (counts and first cases)")
def work_queues(request):
    queues = selectors.work_queues(viewer=request.auth)
    return {
        name: {"count": q["count"], "items": [case_out(c) for c in q["items"]]}
        for name, q in queues.items()
    }


@router.post("/errands", response={201: ErrandOut}, summary="Open an errand (便民服务)")
def errand_create(request, payload: ErrandCreateIn):
    case = services.errand_register(actor=request.auth, **payload.dict())
    return Status(201, errand_out(case, detail=True, actor=request.auth))


class ErrandQuery(Schema):
    state: str | None = None
    limit: int = 100


@router.get("/errands", response=list[ErrandOut], summary="Errands in the caller's scope")
def errand_list(request, q: Query[ErrandQuery]):
    return [
        errand_out(c, actor=request.auth)
        for c in errand_selectors.errand_list(viewer=request.auth, **q.dict())
    ]


@router.get("/errands/queues", summary="The caller's errand queues, apart from case queues")
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
    month: str  # YYYY-MM


@router.get(
    "/errands/money", response=list[AgentMoneyOut], summary="Errand money per agent in a month"
)
def errand_money(request, q: Query[MonthQuery]):
    import datetime as dt

    try:
        year, mon = q.month.split("-")
        month = dt.date(int(year), int(mon), 1)
    except ValueError:
        raise ValidationFailed(_("月份格式应为 YYYY-MM"), field="month") from None
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


@router.get("/errands/{number}", response=ErrandOut, summary="One errand with its money")
def errand_detail(request, number: str):
    errand = errand_selectors.errand_get(viewer=request.auth, number=number)
    return errand_out(errand, detail=True, actor=request.auth)


@router.get("/{number}", response=CaseDetail, summary="One case (the view is logged)")
def case_detail(request, number: str):
    case = selectors.case_get(viewer=request.auth, number=number)
    shown = id_number_shown(viewer=request.auth, case=case, channel="api")
    return case_out(case, detail=True, actor=request.auth, id_number=shown)


@router.post(
    "/{number}/actions/{action}",
    response=CaseDetail | ErrandOut,
    summary="Take an action (on a case or an errand)",
)
def case_action(request, number: str, action: str, payload: ActionIn):
    case = selectors.case_get(viewer=request.auth, number=number, log=False, errands=True)
    if action not in workflow.ACTIONS:
        raise ValidationFailed(_("未知操作：%(a)s") % {"a": action}, field="action")
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


@router.get("/{number}/events", response=list[EventOut], summary="The case timeline")
def case_events(request, number: str):
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
