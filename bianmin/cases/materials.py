"""The materials checklist: provided, missing, deferred (容缺) or pledged (告知承诺).

RULES.md "Deferred acceptance and pledges": only materials the catalog marks deferrable may follow
later, with a signed commitment and a due date no later than the promised limit; a pledge is only
for materials the catalog marks pledgeable, on items that allow pledges and are not high-risk.
"""

import datetime as dt

from django.utils.translation import gettext as _

from bianmin.common.errors import ValidationFailed
from bianmin.workdays.calendar import add_workdays

from .models import Case, CaseMaterial, CreditRestriction, MaterialStatus


def _entry(value) -> dict:
    if isinstance(value, str):
        return {"status": value}
    if isinstance(value, dict):
        return value
    raise ValidationFailed(_("材料状态格式不正确"), field="materials")


def _check(case: Case, row: CaseMaterial, entry: dict, today: dt.date) -> dict:
    """Validated field values for `row` from `entry`."""
    status = entry.get("status")
    version = case.item_version
    material = row.material
    if status not in MaterialStatus.values:
        raise ValidationFailed(_("材料状态无效：%(s)s") % {"s": status}, field="materials")
    out = {"status": status, "due_on": None, "commitment": "", "provided_on": None}
    commitment = str(entry.get("commitment") or "").strip()
    if status == MaterialStatus.PROVIDED:
        out["provided_on"] = today
    elif status == MaterialStatus.DEFERRED:
        if not material.deferrable:
            raise ValidationFailed(
                _("“%(m)s”不是可容缺的材料") % {"m": material.name}, field="materials"
            )
        days = entry.get("due_days")
        if not isinstance(days, int) or not 1 <= days <= max(version.promised_limit, 0):
            raise ValidationFailed(
                _("容缺材料的补交期限应为1至%(n)s个工作日（不超过承诺时限）")
                % {"n": version.promised_limit},
                field="materials",
            )
        if not commitment:
            raise ValidationFailed(_("容缺受理须由申请人签署承诺"), field="materials")
        if credit_restricted(case):
            raise ValidationFailed(_("申请人在信用惩戒名单上，不能容缺受理"), field="materials")
        out.update(due_on=add_workdays(today, days).date, commitment=commitment)
    elif status == MaterialStatus.PLEDGED:
        if not (version.pledge_allowed and not version.high_risk and material.pledgeable):
            raise ValidationFailed(
                _("“%(m)s”不适用告知承诺") % {"m": material.name}, field="materials"
            )
        if not commitment:
            raise ValidationFailed(_("告知承诺须由申请人书面承诺"), field="materials")
        out["commitment"] = commitment
    return out


def credit_restricted(case: Case) -> bool:
    """The applicant is on the credit blacklist (`CreditRestriction`, not lifted)."""
    if case.id_number:
        match = {"id_number": case.id_number}
    elif case.credit_code:
        match = {"credit_code": case.credit_code}
    else:
        return False
    return CreditRestriction.objects.filter(lifted_on=None, **match).exists()


def checklist_create(*, case: Case, spec: dict | None, today: dt.date) -> None:
    """One row per material of the item version; materials not named in `spec` are missing."""
    spec = {int(k): v for k, v in (spec or {}).items()}
    materials = list(case.item_version.materials.all())
    unknown = set(spec) - {m.pk for m in materials}
    if unknown:
        raise ValidationFailed(_("所列材料不属于本事项"), field="materials")
    for material in materials:
        row = CaseMaterial(
            case=case,
            material=material,
            name=material.name,
            required=material.required,
            status=MaterialStatus.MISSING,
        )
        if material.pk in spec:
            for key, value in _check(case, row, _entry(spec[material.pk]), today).items():
                setattr(row, key, value)
        row.save()


def materials_apply(*, case: Case, spec: dict, today: dt.date) -> list[str]:
    """Update checklist rows; returns "name: status" lines for the event."""
    spec = {int(k): v for k, v in spec.items()}
    rows = {r.material_id: r for r in case.materials.select_related("material")}
    if set(spec) - set(rows):
        raise ValidationFailed(_("所列材料不属于本事项"), field="materials")
    lines = []
    for material_id, value in spec.items():
        row = rows[material_id]
        for key, field_value in _check(case, row, _entry(value), today).items():
            setattr(row, key, field_value)
        row.save()
        lines.append(f"{row.name}: {row.status}")
    return lines


def missing_required(case: Case):
    return case.materials.filter(required=True, status=MaterialStatus.MISSING)
