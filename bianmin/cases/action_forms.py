"""The inputs each action's form shows on the case page, and the service parameters read back from
a posted form. Names are the transition service's parameter names, so an error the service
reports on a field (`DomainError.field`) lands next to that input.

Materials are always named by their catalog material id (`CaseMaterial.material_id`), the id
the services take.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.errors import ValidationFailed
from bianmin.common.forms import posted_ids, posted_text
from bianmin.common.inputs import LONG_TEXT_MAX, bounded_int

from . import routing
from .forms import SignatureForm
from .models import Case, MaterialStatus, SuspensionReason

DEFAULT_COMMITMENT = gettext_lazy(
    "本人承诺在规定期限内补交该材料，逾期未补交的，自愿承担相应责任。"
)
DEFAULT_PLEDGE = gettext_lazy("本人承诺所述情况真实，如有不实，愿承担撤销许可等法律责任。")


def _field(posted, name, label, type_="text", **kw) -> dict:
    return {"name": name, "label": label, "type": type_, "value": posted.get(name, ""), **kw}


def _originals_default(case: Case) -> bool:
    """Paper originals travel only where the item asks for them (RULES.md "The route")."""
    return any(m.originals for m in case.item_version.materials.all())


def _note(p) -> dict:
    return _field(p, "note", _("说明"), "textarea")


def _hop_fields(p, to: str, label, originals: bool) -> list[dict]:
    return [
        _field(p, "to", _("送往"), "info", value=to),
        _field(p, "originals", label, "checkbox", value=originals),
        _field(p, "note", _("交接说明"), "textarea"),
    ]


def _forward(case: Case, p) -> list[dict]:
    try:
        to = routing.next_hop(case).name
    except Exception:  # noqa: BLE001 - the engine explains a refusal on submit
        to = ""
    originals = "originals" in p if p else _originals_default(case)
    return _hop_fields(p, to, _("纸质原件随件移交"), originals)


def _hand_back(case: Case, p) -> list[dict]:
    try:
        to = routing.back_hop(case).name
    except Exception:  # noqa: BLE001
        to = ""
    originals = "originals" in p if p else True
    return _hop_fields(p, to, _("结果文书原件随件移交"), originals)


def _decline(case: Case, p) -> list[dict]:
    return [_field(p, "reasons", _("不予受理理由（申请人可见）"), "textarea", required=True)]


def _review(case: Case, p) -> list[dict]:
    return [_field(p, "opinion", _("审核意见"), "textarea")]


def _site_check(case: Case, p) -> list[dict]:
    return [
        _field(p, "findings", _("现场核查情况"), "textarea", required=True),
        _field(p, "people", _("参加核查人员")),
    ]


def _opine(case: Case, p) -> list[dict]:
    return [
        _field(
            p,
            "approved",
            _("本部门联审意见"),
            "select",
            choices=[("1", _("同意")), ("0", _("不同意"))],
        ),
        _field(p, "opinion", _("意见说明（不同意时必填，主办部门可见）"), "textarea"),
    ]


def _decide(case: Case, p) -> list[dict]:
    return [
        _field(
            p,
            "approved",
            _("审批决定"),
            "select",
            choices=[("1", _("准予")), ("0", _("不予批准"))],
        ),
        _field(p, "reasons", _("理由（不予批准时必填，申请人可见）"), "textarea"),
    ]


def _conclude(case: Case, p) -> list[dict]:
    fields = []
    if case.state == "accepted":  # immediate cases decide and conclude in one go
        fields += [
            _field(
                p,
                "approved",
                _("办理结果"),
                "select",
                choices=[("1", _("准予")), ("0", _("不予批准"))],
            ),
            _field(p, "reasons", _("理由（不予批准时必填）"), "textarea"),
        ]
    if case.item_version.result_is_certificate:
        fields.append(_field(p, "certificate_number", _("证照编号（准予时必填）")))
    return fields + [_note(p)]


def _deliver(case: Case, p) -> list[dict]:
    return [
        _field(p, "signature", _("签名"), "signature"),
        _field(p, "signed_by_name", _("签收人"), required=True),
        _field(p, "feedback", _("申请人意见"), "textarea"),
    ]


def _notify_missing(case: Case, p) -> list[dict]:
    rows = list(case.materials.all())
    missing = [m for m in rows if m.required and m.status == MaterialStatus.MISSING]
    others = [m for m in rows if m not in missing]
    return [
        _field(p, "missing", _("缺少的必要材料（必须告知）"), "list", choices=missing),
        _field(
            p,
            "materials",
            _("另需补正（如材料不清晰、不符合要求）"),
            "materials",
            choices=others,
            checked=set(_ints(p, "materials")),
        ),
        _field(p, "note", _("说明（申请人可见）"), "textarea"),
    ]


def _supplement(case: Case, p) -> list[dict]:
    rows = list(case.materials.all())
    waiting = [m for m in rows if m.status in (MaterialStatus.MISSING, MaterialStatus.DEFERRED)]
    label = (
        _("本次补交的材料（不选表示所缺材料全部补齐）")
        if case.state == "awaiting_materials"
        else _("本次补交的材料")
    )
    return [
        _field(
            p,
            "materials",
            label,
            "materials",
            choices=waiting,
            checked=set(_ints(p, "materials")),
            required=case.state != "awaiting_materials",
        ),
        _note(p),
    ]


def _accept(case: Case, p) -> list[dict]:
    rows = list(case.materials.all())
    return [
        _field(
            p,
            "deferral",
            _("容缺受理 / 告知承诺（缺少的材料）"),
            "deferral",
            choices=_deferral_rows(case, rows, p),
        ),
        _note(p),
    ]


def _suspend(case: Case, p) -> list[dict]:
    return [
        _field(
            p,
            "reason",
            _(
                "中止事由（行政许可法第四十五条：听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审）"
            ),
            "select",
            choices=SuspensionReason.choices,
        ),
        _field(p, "told_days", _("书面告知申请人所需工作日"), "number", required=True),
        _note(p),
    ]


def _reason(case: Case, p) -> list[dict]:
    return [_field(p, "reason", _("理由"), "textarea", required=True)]


# Each action's form; an action not listed takes a note only.
FIELDS = {
    "forward": _forward,
    "hand_back": _hand_back,
    "decline": _decline,
    "review": _review,
    "site_check": _site_check,
    "opine": _opine,
    "decide": _decide,
    "conclude": _conclude,
    "deliver": _deliver,
    "notify_missing": _notify_missing,
    "supplement": _supplement,
    "accept": _accept,
    "suspend": _suspend,
    "extend": _reason,
    "withdraw": _reason,
    "pledge_false": _reason,
}


def action_fields(action: str, case: Case, posted=None) -> list[dict]:
    """The inputs of `action`'s form for `case`; `posted` refills them after an error."""
    p = posted or {}
    build = FIELDS.get(action)
    return build(case, p) if build else [_note(p)]


def _ints(posted, name: str) -> list[int]:
    return posted_ids(posted, name)


def _deferral_rows(case: Case, rows, posted) -> list[dict]:
    """The required materials still missing that the catalog lets follow later (容缺, a non-key
    material) or be replaced by a written pledge (告知承诺), with what was posted."""
    version = case.item_version
    may_pledge = version.pledge_allowed and not version.high_risk
    out = []
    for m in rows:
        if not (m.required and m.status == MaterialStatus.MISSING):
            continue
        options = []
        if m.material.deferrable:
            options.append((MaterialStatus.DEFERRED, _("容缺后补")))
        if may_pledge and m.material.pledgeable:
            options.append((MaterialStatus.PLEDGED, _("告知承诺")))
        if not options:
            continue
        key = m.material_id
        chosen = posted.get(f"defer_{key}", "") if posted else ""
        out.append(
            {
                "material": key,
                "name": m.name,
                "options": options,
                "chosen": chosen,
                "due_days": posted.get(f"defer_days_{key}", "")
                if posted
                else min(5, max(1, version.promised_limit)),
                "commitment": posted.get(f"defer_text_{key}", "")
                if posted
                else (
                    DEFAULT_COMMITMENT
                    if options[0][0] == MaterialStatus.DEFERRED
                    else DEFAULT_PLEDGE
                ),
            }
        )
    return out


# No time limit this system counts reaches a year of working days.
MAX_WORKDAYS = 250
# The free text of the action forms: a column's length where it has one, else LONG_TEXT_MAX.
TEXT_LIMITS = {
    "reasons": LONG_TEXT_MAX,
    "certificate_number": 60,
    "feedback": LONG_TEXT_MAX,
    "reason": LONG_TEXT_MAX,
    "opinion": LONG_TEXT_MAX,
    "findings": LONG_TEXT_MAX,
    "people": 200,
    "note": LONG_TEXT_MAX,
}
MULTILINE = {"reasons", "feedback", "reason", "opinion", "findings", "note"}


def _text_params(post) -> tuple[dict, dict]:
    """The free-text inputs, each checked against its length and line rule."""
    params: dict = {}
    errors: dict = {}
    for name, max_length in TEXT_LIMITS.items():
        if name not in post:
            continue
        try:
            value = posted_text(
                post, name, max_length=max_length, multiline=name in MULTILINE, label=_("该项")
            )
        except ValidationFailed as e:
            errors[name] = e.message
            continue
        if name != "note":  # the page passes the note to the transition itself
            params[name] = value
    return params, errors


def _deferral_spec(post, errors: dict) -> dict[int, dict]:
    """{material id: {"status", "commitment", "due_days"}} of the missing materials accepted as
    deferred (容缺) or pledged (告知承诺), from the `defer_*` inputs of the accept form."""
    spec = {}
    for key in post:
        if not key.startswith("defer_") or key.startswith(("defer_days_", "defer_text_")):
            continue
        status = post.get(key)
        material = key.removeprefix("defer_")
        if not status or not material.isdigit():
            continue
        try:
            commitment = posted_text(
                post,
                f"defer_text_{material}",
                max_length=LONG_TEXT_MAX,
                label=_("承诺内容"),
                multiline=True,
            )
        except ValidationFailed as e:
            errors["deferral"] = e.message
            continue
        entry = {"status": status, "commitment": commitment}
        if status == MaterialStatus.DEFERRED:
            try:
                entry["due_days"] = bounded_int(
                    post.get(f"defer_days_{material}", ""),
                    field=_("补交期限（工作日）"),
                    lo=1,
                    hi=MAX_WORKDAYS,
                )
            except ValidationFailed:
                errors["deferral"] = _("请填写容缺材料的补交期限（工作日）")
        spec[int(material)] = entry
    return spec


def _suspend_params(post, params: dict, errors: dict) -> None:
    params["reason"] = post.get("reason", "")
    try:
        params["told_days"] = bounded_int(
            post.get("told_days", ""), field=_("工作日数"), lo=1, hi=MAX_WORKDAYS
        )
    except ValidationFailed as e:
        errors["told_days"] = (
            e.message if e.code == "out_of_range" else _("请填写书面告知申请人所需的工作日数")
        )


def _deliver_params(post, files, params: dict, errors: dict) -> None:
    form = SignatureForm(post, files)
    if form.is_valid():
        params["signature"] = form.cleaned_data["signature_png"]
        params["signed_by_name"] = form.cleaned_data["signed_by_name"]
        params["feedback"] = form.cleaned_data["feedback"]
    else:
        for name, errs in form.errors.items():
            key = "signature" if name.startswith("signature") else name
            errors[key] = errs[0]


def action_params(action: str, post, files) -> tuple[dict, dict]:
    """Service parameters from the posted form, plus field errors found before the service."""
    params, errors = _text_params(post)
    if "approved" in post:
        params["approved"] = post.get("approved") == "1"
    if action in ("forward", "hand_back"):
        params["originals"] = post.get("originals") == "1"
    if action in ("notify_missing", "supplement"):
        ids = _ints(post, "materials")
        if action == "notify_missing" or ids:
            params["materials"] = ids
    if action == "accept":
        spec = _deferral_spec(post, errors)
        if spec:
            params["materials"] = spec
    if action == "suspend":
        _suspend_params(post, params, errors)
    if action == "deliver":
        _deliver_params(post, files, params, errors)
    return params, errors
