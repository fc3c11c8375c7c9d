"""Staff pages for cases: work queues, list, intake, detail with actions, documents, ledger.

Thin by design (STYLE.md rule 3): every read goes through `bianmin.cases.selectors` (which apply
the viewer's scope), every write through `case_register` or `case_transition`. The pages only turn
form input into service arguments and domain errors into Chinese messages next to the input.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.documents import document_response
from bianmin.common.errors import DomainError, NotFound
from bianmin.common.validators import mask_id_number, mask_phone
from bianmin.orgs.models import RoleCode, Staff, Unit
from bianmin.orgs.scope import scope_for
from bianmin.workdays.calendar import workdays_between

from . import documents as docs
from . import selectors, workflow
from .deadlines import clock
from .forms import LedgerFilterForm, SignatureForm
from .ledger import ledger_columns, ledger_filter, ledger_rows, ledger_xlsx
from .models import ApplicantKind, Case, MaterialStatus, State, SuspensionReason
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
from .services import case_transition


@login_required
def queues(request):
    # The overview shows the first ten of each queue; "查看全部" opens the queue's own list.
    data = selectors.work_queues(viewer=request.user, limit=10, scope=scope_of(request))
    queues_ = [
        {
            "code": code,
            "label": QUEUE_LABELS.get(code, code),
            "count": q["count"],
            "rows": [case_row(c) for c in q["items"]],
        }
        for code, q in data.items()
    ]
    return render(request, "cases/queues.html", {**base_context(request), "queues": queues_})


# --- detail and actions ----------------------------------------------------------------------


def _acts_for(row: workflow.Transition, case: Case, scope) -> bool:
    units = [case.current_unit]
    if row.acts_for == "intake_or_current":
        units.append(case.intake_unit)
    elif row.acts_for == "joint_or_current":
        units += [r.unit for r in case.subreviews.select_related("unit__region")]
    return any(scope.can_act_for_unit(u) for u in units)


def available_actions(case: Case, user, scope=None) -> list[str]:
    """The table's actions the user's roles and scope allow now (guards are left to the engine,
    which explains a refusal better than a hidden button would)."""
    staff = getattr(user, "staff", None)
    roles = set(staff.roles) if staff else set()
    scope = scope or scope_for(user)
    out = []
    for action in workflow.allowed_actions(state=case.state, case_class=case.case_class):
        row = workflow.find(action, state=case.state, case_class=case.case_class)
        if row is None or not (user.is_superuser or roles & row.roles):
            continue
        if not _acts_for(row, case, scope):
            continue
        if case.assigned_to_id and case.assigned_to_id != user.pk and action != "release":
            continue
        if action == "assign" and case.assigned_to_id:
            continue
        if action == "release" and not case.assigned_to_id:
            continue
        out.append(action)
    return out


def _yes_no():
    return [("1", _("准予")), ("0", _("不予批准"))]


def action_fields(action: str, case: Case, posted=None) -> list[dict]:
    """The inputs each action's form shows; names are the service's parameter names."""
    p = posted or {}

    def f(name, label, type_="text", **kw):
        return {"name": name, "label": label, "type": type_, "value": p.get(name, ""), **kw}

    note = f("note", _("说明"), "textarea")
    not_provided = [m for m in case.materials.all() if m.status != MaterialStatus.PROVIDED]
    if action == "decline":
        return [f("reasons", _("不予受理理由（申请人可见）"), "textarea", required=True)]
    if action in ("decide", "opine"):
        return [
            f("approved", _("决定"), "select", choices=_yes_no()),
            f("reasons", _("理由（不予批准时必填，申请人可见）"), "textarea"),
        ]
    if action == "conclude":
        fields = []
        if case.state == State.ACCEPTED:  # immediate cases decide and conclude in one go
            fields += [
                f("approved", _("决定"), "select", choices=_yes_no()),
                f("reasons", _("理由（不予批准时必填）"), "textarea"),
            ]
        if case.item_version.result_is_certificate:
            fields.append(f("certificate_number", _("证照编号（准予时必填）")))
        return fields + [note]
    if action == "deliver":
        return [
            f("signature", _("签名"), "signature"),
            f("signed_by_name", _("签收人"), required=True),
            f("feedback", _("申请人意见"), "textarea"),
        ]
    if action == "notify_missing":
        return [
            f("materials", _("除缺少的必要材料外，另需补正"), "materials", choices=not_provided),
            f("note", _("说明（申请人可见）"), "textarea"),
        ]
    if action == "supplement":
        return [
            f(
                "materials",
                _("已补交的材料（不选表示全部补齐）"),
                "materials",
                choices=not_provided,
            ),
            note,
        ]
    if action == "suspend":
        return [
            f(
                "reason",
                _("中止事由（行政许可法第四十五条）"),
                "select",
                choices=SuspensionReason.choices,
            ),
            f("told_days", _("书面告知所需工作日"), "number"),
            note,
        ]
    if action in ("extend", "withdraw", "pledge_false"):
        return [f("reason", _("理由"), "textarea", required=True)]
    return [note]


def _params(action: str, post, files) -> tuple[dict, dict]:
    """Service parameters from the posted form, plus field errors found before the service."""
    params: dict = {}
    errors: dict = {}
    for name in ("reasons", "certificate_number", "feedback", "reason"):
        if name in post:
            params[name] = post.get(name, "")
    if "approved" in post:
        params["approved"] = post.get("approved") == "1"
    if action in ("notify_missing", "supplement"):
        ids = [int(v) for v in post.getlist("materials") if v.isdigit()]
        if action == "notify_missing":
            params["materials"] = ids
        elif ids:
            params["materials"] = {i: MaterialStatus.PROVIDED for i in ids}
    if action == "suspend":
        params["reason"] = post.get("reason", "")
        try:
            params["told_days"] = int(post.get("told_days", ""))
        except ValueError:
            errors["told_days"] = _("请填写书面告知申请人所需的工作日数")
    if action == "deliver":
        form = SignatureForm(post, files)
        if form.is_valid():
            params["signature"] = form.cleaned_data["signature_png"]
            params["signed_by_name"] = form.cleaned_data["signed_by_name"]
            params["feedback"] = form.cleaned_data["feedback"]
        else:
            for name, errs in form.errors.items():
                key = "signature" if name.startswith("signature") else name
                errors[key] = errs[0]
    return params, errors


def _detail_context(request, case: Case, *, posted_action=None, posted=None, errors=None) -> dict:
    # Every action form lists the materials: read them once for the page.
    prefetch_related_objects([case], "materials")
    actions = []
    for code in available_actions(case, request.user, scope_of(request)):
        fields = action_fields(code, case, posted if code == posted_action else None)
        for fld in fields:
            if code == posted_action and errors and fld["name"] in errors:
                fld["error"] = errors[fld["name"]]
        actions.append(
            {"code": code, "label": workflow.ACTION_LABELS.get(code, code), "fields": fields}
        )
    events = []
    # `case` came through the scoped selector already: its events need no second access check.
    for e in selectors.case_events(case=case):
        events.append(
            {
                "at": e.at,
                "action": e.action,
                "label": workflow.ACTION_LABELS.get(e.action, e.action),
                "from_label": state_label(e.from_state) if e.from_state else "",
                "to_state": e.to_state,
                "to_label": state_label(e.to_state) if e.to_state else "",
                "actor_name": e.actor_name,
                "unit": e.unit,
                "note": e.note or e.data.get("reasons", "") if isinstance(e.data, dict) else e.note,
            }
        )
    c = clock(case)
    custodies = []
    # Units and people by id, not joined: PostgreSQL spent ~4 ms planning the six-table join.
    hops = list(case.custodies.all())
    units = Unit.objects.in_bulk({u for h in hops for u in (h.from_unit_id, h.to_unit_id)} - {None})
    people = (
        get_user_model()
        .objects.select_related("staff")
        .in_bulk({u for h in hops for u in (h.sent_by_id, h.received_by_id)} - {None})
    )
    for h in hops:
        held = None
        if h.received_at:
            end = timezone.localdate()
            # The next hop sent after this one ends this unit's holding (read from the list
            # already fetched, not one query per hop).
            later = [x.sent_at for x in hops if x.sent_at > h.sent_at]
            if later:
                end = timezone.localdate(min(later))
            held = workdays_between(timezone.localdate(h.received_at), end).workdays
        custodies.append(
            {
                "from_unit": units.get(h.from_unit_id),
                "to_unit": units[h.to_unit_id],
                "sent_at": h.sent_at,
                "sent_name": display_name(people.get(h.sent_by_id)),
                "received_at": h.received_at,
                "received_name": display_name(people.get(h.received_by_id)),
                "held": held,
            }
        )
    return {
        **base_context(request),
        "case": case,
        "masked_id": case.credit_code
        if case.applicant_kind == ApplicantKind.ENTERPRISE
        else mask_id_number(case.id_number),
        "masked_phone": mask_phone(case.phone),
        "first_responder": display_name(case.first_responder),
        "assigned_name": display_name(case.assigned_to) if case.assigned_to_id else "",
        "clock": c,
        "light": c.colour,
        "materials": list(case.materials.all()),
        "documents": docs.available_kinds(case),
        "actions": actions,
        "events": events,
        "custodies": custodies,
    }


@login_required
def detail(request, number: str):
    case = fetch(request, number)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def action(request, number: str, action: str):
    case = fetch(request, number, log=False)
    if action not in workflow.ACTIONS:
        raise Http404(_("未知操作"))
    params, errors = _params(action, request.POST, request.FILES)
    error = ""
    status = 422
    if not errors:
        try:
            case_transition(
                case=case,
                action=action,
                actor=request.user,
                expected_version=request.POST.get("lock_version") or None,
                note=request.POST.get("note", ""),
                **params,
            )
        except DomainError as e:
            status = e.status
            if e.field and e.field in {f["name"] for f in action_fields(action, case)}:
                errors[e.field] = e.message
            else:
                error = e.message
        else:
            return redirect("cases:detail", number=case.number)
    case = fetch(request, number, log=False)
    ctx = _detail_context(request, case, posted_action=action, posted=request.POST, errors=errors)
    ctx["error"] = error or _("「%(a)s」未完成，请检查填写的内容") % {
        "a": workflow.ACTION_LABELS.get(action, action)
    }
    return render(request, "cases/detail.html", ctx, status=status)


# --- documents and ledger --------------------------------------------------------------------


@login_required
def document(request, number: str, kind: str):
    case = fetch(request, number)
    try:
        k, doc = docs.build(case, kind)
    except NotFound as e:
        raise Http404(e.message) from None
    except DomainError as e:
        return HttpResponse(e.message, status=e.status, content_type="text/plain; charset=utf-8")
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
    rows = ledger_rows(qs[:5000])
    staff = staff_of(request)
    title = _("%(u)s 办件台账") % {"u": staff.unit.name if staff and staff.unit else _("全部")}
    if request.GET.get("export") == "xlsx" and not form.errors:
        response = HttpResponse(
            ledger_xlsx(rows, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="ledger.xlsx"'
        return response
    return render(
        request,
        "cases/ledger.html",
        {**base_context(request), "form": form, "rows": rows, "columns": ledger_columns()},
        status=400 if form.errors else 200,
    )
