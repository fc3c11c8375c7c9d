"""Staff pages for cases: work queues, list, intake, detail with actions, documents, ledger.

Thin by design (STYLE.md rule 3): every read goes through `bianmin.cases.selectors` (which apply
the viewer's scope), every write through `case_register` or `case_transition`. The pages only turn
form input into service arguments and domain errors into Chinese messages next to the input.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.documents import document_response
from bianmin.common.errors import DomainError
from bianmin.common.paging import paginate
from bianmin.common.refusals import ANY, on_refusal
from bianmin.common.sheets import xlsx_response
from bianmin.common.validators import mask_phone
from bianmin.orgs.models import RoleCode, Staff
from bianmin.orgs.scope import scope_for

from . import deadlines, routing, selectors, workflow
from . import documents as docs
from .action_forms import action_fields, action_params
from .files import case_files
from .forms import LedgerFilterForm
from .ledger import ledger_columns, ledger_filter, ledger_rows, ledger_sheets
from .models import JOINT_REVIEWS, ApplicantKind, Case, State
from .pages import (
    QUEUE_LABELS,
    base_context,
    case_row,
    display_name,
    fetch,
    scope_of,
    staff_of,
    state_label,
)
from .privacy import id_number_shown
from .services import case_actions_for, case_transition, next_action
from .timeline import event_summary


@login_required
def queues(request):
    # The overview shows the first five of each queue, most urgent first, the count beside it;
    # "查看全部" opens the queue's own list. Nine queues of ten rows were 90 rows to render on a
    # phone, and at a real county's pace most of the page's time (issue 17).
    data = selectors.work_queues(viewer=request.user, limit=5, scope=scope_of(request))
    queues_ = [
        {
            "code": code,
            "label": QUEUE_LABELS.get(code, code),
            "count": q["count"],
            "rows": [case_row(c) for c in q["items"]],
        }
        for code, q in data.items()
    ]
    return render(
        request,
        "cases/queues.html",
        {**base_context(request), "queues": queues_, "busy": any(q["count"] for q in queues_)},
    )


# --- detail and actions ----------------------------------------------------------------------

# Shown beside the materials, not as action forms (`workflow.Transition.inline`).
INLINE_ACTIONS = frozenset(row.action for row in workflow.TABLE if row.inline)


def _action(code: str, case: Case, posted_action, posted, errors) -> dict:
    fields = action_fields(code, case, posted if code == posted_action else None)
    for fld in fields:
        if code == posted_action and errors and fld["name"] in errors:
            fld["error"] = errors[fld["name"]]
    return {
        "code": code,
        "label": workflow.ACTION_LABELS.get(code, code),
        "fields": fields,
        "open": code == posted_action,
    }


def _custodies(case: Case) -> list[dict]:
    """Each hop with how long its unit held the case (`selectors.case_holdings`)."""
    holdings = selectors.case_holdings(case=case)
    # People by id, not joined: PostgreSQL spent ~4 ms planning the six-table join.
    ids = {u for h in holdings for u in (h.hop.sent_by_id, h.hop.received_by_id)} - {None}
    # The people fetched with the case (`case_get`) are mostly the ones who sent and received it.
    known = selectors.loaded_related(case, ("first_responder", "assigned_to"))
    people = {pk: u for pk, u in known.items() if pk in ids}
    if ids - set(people):
        people |= get_user_model().objects.select_related("staff").in_bulk(ids - set(people))
    return [
        {
            "from_unit": h.hop.from_unit,
            "to_unit": h.hop.to_unit,
            "sent_at": h.hop.sent_at,
            "sent_name": display_name(people.get(h.hop.sent_by_id)),
            "received_at": h.hop.received_at,
            "received_name": display_name(people.get(h.hop.received_by_id)),
            "held": h.workdays,
            "originals": h.hop.originals,
        }
        for h in holdings
    ]


def _detail_context(request, case: Case, *, posted_action=None, posted=None, errors=None) -> dict:
    # Every action form lists the materials: read them once for the page.
    # The case's materials point at its version's: one query for those serves both.
    prefetch_related_objects([case], "materials", "item_version__materials", JOINT_REVIEWS)
    by_id = {m.pk: m for m in case.item_version.materials.all()}
    for row in case.materials.all():
        if row.material_id in by_id:
            row.material = by_id[row.material_id]
    prefetch_related_objects(
        [m for m in case.materials.all() if m.material_id not in by_id], "material"
    )
    allowed = case_actions_for(case, request.user, scope=scope_of(request))
    forms = [a for a in allowed if a not in INLINE_ACTIONS]
    actions = [_action(code, case, posted_action, posted, errors) for code in forms]
    events = [
        {
            "at": e.at,
            "action": e.action,
            "label": workflow.ACTION_LABELS.get(e.action, e.action),
            "from_label": state_label(e.from_state) if e.from_state else "",
            "to_state": e.to_state,
            "to_label": state_label(e.to_state) if e.to_state else "",
            "actor_name": e.actor_name,
            "unit": e.unit,
            "summary": event_summary(e.action, e.data),
            "note": e.note,
        }
        # `case` came through the scoped selector already: no second access check.
        for e in selectors.case_events(case=case)
    ]
    relay = deadlines.relay_due(case)
    return {
        **base_context(request),
        "case": case,
        # The deciding unit sees the full number while it decides (logged); others masked.
        "shown_id": case.credit_code
        if case.applicant_kind == ApplicantKind.ENTERPRISE
        else id_number_shown(
            viewer=request.user, case=case, channel="page", scope=scope_of(request)
        ),
        "masked_phone": mask_phone(case.phone),
        "first_responder": display_name(case.first_responder),
        "assigned_name": display_name(case.assigned_to) if case.assigned_to_id else "",
        "clock": deadlines.clock(case),
        "relay_due": relay,
        "relay_late": relay is not None and relay < timezone.localdate(),
        "materials": list(case.materials.all()),
        "files": case_files(case),
        "can_upload": "upload" in allowed,
        "can_review_files": "file_review" in allowed,
        "documents": docs.available_kinds(case),
        "primary": actions[0] if actions and next_action(case, forms) else None,
        "more": actions[1:] if actions and next_action(case, forms) else actions,
        "subreviews": list(case.subreviews.all()),
        "events": events,
        "custodies": _custodies(case),
        "route": routing.route_path(case),
    }


@login_required
def detail(request, number: str):
    case = fetch(request, number)
    return render(request, "cases/detail.html", _detail_context(request, case))


# A service error on this field belongs next to that input of the action's form.
FIELD_OF = {("accept", "materials"): "deferral"}


def _action_page(request, number: str, action: str, *, errors: dict, error: str, status: int):
    """The case page again with the action's form open, what was typed and what is wrong."""
    case = fetch(request, number, log=False)
    ctx = _detail_context(request, case, posted_action=action, posted=request.POST, errors=errors)
    ctx["error"] = error or _("「%(a)s」未完成，请检查填写的内容") % {
        "a": workflow.ACTION_LABELS.get(action, action)
    }
    return render(request, "cases/detail.html", ctx, status=status)


def _action_refused(request, e: DomainError, number: str, action: str):
    """A refusal (of access too: the case page says it in place) next to its field when the
    action's form has that field, above the form otherwise, at the error's status."""
    case = fetch(request, number, log=False)
    field = FIELD_OF.get((action, e.field or ""), e.field)
    if field and field in {f["name"] for f in action_fields(action, case)}:
        return _action_page(
            request, number, action, errors={field: e.message}, error="", status=e.status
        )
    return _action_page(request, number, action, errors={}, error=e.message, status=e.status)


@login_required
@require_POST
@on_refusal(_action_refused, errors=ANY)
def action(request, number: str, action: str):
    case = fetch(request, number, log=False)
    if action not in workflow.ACTIONS:
        raise Http404(_("未知操作"))
    params, errors = action_params(action, request.POST, request.FILES)
    if errors:
        return _action_page(request, number, action, errors=errors, error="", status=422)
    case_transition(
        case=case,
        action=action,
        actor=request.user,
        expected_version=request.POST.get("lock_version") or None,
        note=request.POST.get("note", ""),
        **params,
    )
    messages.success(request, _("已%(a)s") % {"a": workflow.ACTION_LABELS.get(action, action)})
    return redirect("cases:detail", number=case.number)


# --- documents and ledger --------------------------------------------------------------------


@login_required
def document(request, number: str, kind: str):
    case = fetch(request, number)
    # A document the case cannot have yet is a plain-text refusal at its status (the middleware).
    k, doc = docs.build(case, kind)
    return document_response(
        request, k.template, {"doc": doc}, filename=f"{doc['title']}-{case.number}.pdf"
    )


def _agents(request):
    scope = scope_for(request.user)
    return [
        s.user
        for s in Staff.objects.filter(scope.units_q("unit"))
        .select_related("user")
        .order_by("unit__region__code", "full_name")
        if s.has_role(RoleCode.AGENT)
    ]


@login_required
def ledger(request):
    form = LedgerFilterForm(request.GET or None, states=State.choices, agents=_agents(request))
    qs = selectors.cases_visible(viewer=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        qs = ledger_filter(
            qs,
            start=d.get("start"),
            end=d.get("end"),
            item=d.get("item", ""),
            state=d.get("state", ""),
            agent=d.get("agent") or None,
        )
    elif form.is_bound:
        qs = qs.none()
    else:
        qs = ledger_filter(qs)
    staff = staff_of(request)
    title = _("%(u)s 办件台账") % {"u": staff.unit.name if staff and staff.unit else _("全部")}
    if request.GET.get("export") == "xlsx" and not form.errors:
        return xlsx_response("ledger.xlsx", ledger_sheets(ledger_rows(qs[:5000]), title=title))
    page = paginate(request, qs)
    return render(
        request,
        "cases/ledger.html",
        {
            **base_context(request),
            "form": form,
            "page": page,
            "rows": ledger_rows(page.object_list),
            "columns": ledger_columns(),
        },
        status=400 if form.errors else 200,
    )
