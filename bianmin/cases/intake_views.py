"""Opening a case at a unit (收件登记 / 委托代办): the intake page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bianmin.catalog.models import ItemVersion
from bianmin.catalog.selectors import item_list_published
from bianmin.common.errors import DomainError
from bianmin.orgs.models import UnitKind

from .forms import IntakeForm
from .models import ApplicantKind, Channel, MaterialStatus
from .pages import base_context, can_open, staff_of
from .services import case_register

INTAKE_FIELD_MAP = {"contact": "contact_name", "item_version": "item"}


def _intake_items(unit):
    return item_list_published(tier=unit.tier).select_related("item").order_by("item__local_code")


def _material_rows(version: ItemVersion | None, data=None) -> list[dict]:
    if version is None:
        return []
    options = [
        (MaterialStatus.PROVIDED, _("已提交")),
        (MaterialStatus.MISSING, _("缺少")),
    ]
    rows = []
    for m in version.materials.order_by("position", "pk"):
        chosen = (data or {}).get(f"material_{m.pk}", MaterialStatus.PROVIDED)
        rows.append(
            {
                "pk": m.pk,
                "name": m.name,
                "required": m.required,
                "note": m.note,
                "options": options,
                "chosen": chosen,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    staff = staff_of(request)
    if not can_open(request):
        raise DjangoPermissionDenied(_("您的账号不能登记办件"))
    unit = staff.unit
    is_station = unit.kind == UnitKind.VILLAGE_STATION
    items = list(_intake_items(unit))
    channels = (
        [] if is_station else [(v, label) for v, label in Channel.choices if v != Channel.PROXY]
    )
    data = request.POST if request.method == "POST" else None
    form = IntakeForm(data, items=items, channels=channels)
    selected = (data or request.GET).get("item", "")
    version = next((v for v in items if str(v.pk) == str(selected)), None)
    ctx = {
        **base_context(request),
        "form": form,
        "unit": unit,
        "is_station": is_station,
        "selected_item": selected,
        "materials": _material_rows(version, data),
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = d["applicant_kind"] == ApplicantKind.PERSON
        try:
            case = case_register(
                actor=request.user,
                item_version=version,
                channel=Channel.PROXY if is_station else (d.get("channel") or Channel.WINDOW),
                applicant_kind=d["applicant_kind"],
                applicant_name=d["applicant_name"],
                id_number=d.get("id_number", "") if person else "",
                credit_code="" if person else d.get("credit_code", ""),
                phone=d["phone"],
                contact=d.get("contact_name", ""),
                address=d.get("address", ""),
                unit=unit,
                materials={
                    m["pk"]: m["chosen"]
                    for m in ctx["materials"]
                    if m["chosen"] in (MaterialStatus.PROVIDED, MaterialStatus.MISSING)
                },
                entrustment_signed=bool(d.get("entrusted")) if is_station else False,
                note=d.get("note", ""),
            )
        except DomainError as e:
            field = INTAKE_FIELD_MAP.get(e.field or "", e.field)
            if field in form.fields:
                form.add_error(field, e.message)
            else:
                ctx["error"] = e.message
            return render(request, "cases/intake.html", ctx, status=e.status)
        return redirect("cases:detail", number=case.number)
    return render(request, "cases/intake.html", ctx, status=400 if form.errors else 200)
