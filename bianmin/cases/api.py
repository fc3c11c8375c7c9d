"""The cases API (/api/v1/cases): thin handlers over `services` and `selectors`."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from bianmin.api.auth import staff_auth
from bianmin.catalog.models import Item, ItemVersion
from bianmin.common.errors import NotFound, ValidationFailed
from bianmin.orgs.models import Unit

from . import selectors, services, workflow
from .schemas import ActionIn, CaseCreateIn, CaseDetail, CasePage, EventOut, case_out

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
    return Status(201, case_out(case, detail=True))


class ListQuery(Schema):
    state: str | None = None
    unit: int | None = None
    overdue: bool | None = None
    queue: str | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("", response=CasePage, summary="Cases in the caller's scope")
def case_list(request, q: Query[ListQuery]):
    page = selectors.case_list(viewer=request.auth, **q.dict())
    return {"items": [case_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/queues", summary="The caller's work queues (counts and first cases)")
def work_queues(request):
    queues = selectors.work_queues(viewer=request.auth)
    return {
        name: {"count": q["count"], "items": [case_out(c) for c in q["items"]]}
        for name, q in queues.items()
    }


@router.get("/{number}", response=CaseDetail, summary="One case (the view is logged)")
def case_detail(request, number: str):
    return case_out(selectors.case_get(viewer=request.auth, number=number), detail=True)


@router.post("/{number}/actions/{action}", response=CaseDetail, summary="Take an action")
def case_action(request, number: str, action: str, payload: ActionIn):
    case = selectors.case_get(viewer=request.auth, number=number, log=False)
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
    return case_out(case, detail=True)


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
