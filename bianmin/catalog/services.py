"""Writes to the catalog: versions are created as drafts and published explicitly.

Versioning rule (issue 3, DESIGN.md "catalog"): an edit makes a new version; publication is explicit;
a case keeps the version it was accepted under, so a published or superseded version is never
changed (the model refuses it too, see `ItemVersion.save`).
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.admin_log import admin_action_record
from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.common.models import AdminActionKind
from bianmin.common.workflow import transition

from .models import Fee, Item, ItemVersion, Material, StepTemplate
from .workflow import ItemVersionMachine

# ItemVersion columns that belong to the version's identity or lifecycle, not to its content.
NON_CONTENT_FIELDS = frozenset(
    {"id", "item", "number", "status", "published_at", "published_by", "created_at", "updated_at"}
)
CONTENT_FIELDS = tuple(
    f.name
    for f in ItemVersion._meta.concrete_fields
    if f.name not in NON_CONTENT_FIELDS and f.name != "implementing_unit"
) + ("implementing_unit",)
MATERIAL_FIELDS = tuple(
    f.name for f in Material._meta.concrete_fields if f.name not in ("id", "version")
)
FEE_FIELDS = tuple(f.name for f in Fee._meta.concrete_fields if f.name not in ("id", "version"))
STEP_FIELDS = tuple(
    f.name for f in StepTemplate._meta.concrete_fields if f.name not in ("id", "version")
)


def _failed(exc: DjangoValidationError, *, prefix: str = "") -> ValidationFailed:
    """A model ValidationError as the domain's ValidationFailed, keeping every field's messages."""
    if hasattr(exc, "error_dict"):
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    field, messages = next(iter(errors.items()))
    return ValidationFailed(
        f"{prefix}{messages[0]}",
        field=None if field == "__all__" else field,
        extra={"errors": errors},
    )


def _clean(obj, *, prefix: str = "", exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise _failed(exc, prefix=prefix) from exc


def _add_children(version: ItemVersion, *, materials, fees, steps, joint_units) -> None:
    if joint_units:
        version.joint_units.set(joint_units)
    for i, raw in enumerate(materials or ()):
        m = dict(raw)
        obj = Material(version=version, position=m.pop("position", i + 1), **m)
        _clean(obj, prefix=_("申请材料“%(n)s”：") % {"n": m.get("name", "")})
        obj.save()
    for raw in fees or ():
        fee = Fee(version=version, **dict(raw))
        _clean(fee, prefix=_("收费“%(n)s”：") % {"n": raw.get("name", "")})
        fee.save()
    for i, raw in enumerate(steps or ()):
        s = dict(raw)
        step = StepTemplate(version=version, position=s.pop("position", i + 1), **s)
        _clean(step, prefix=_("办理环节“%(n)s”：") % {"n": s.get("name", "")})
        step.save()


@transaction.atomic
def item_version_create(
    *,
    local_code: str,
    materials: Sequence[dict] = (),
    fees: Sequence[dict] = (),
    steps: Sequence[dict] = (),
    joint_units=(),
    actor=None,
    **fields,
) -> ItemVersion:
    """Create the next draft version of the item with `local_code` (the item itself if new);
    `actor` (None for the system) goes to the admin action log.

    `fields` are ItemVersion fields; materials, fees and steps are dicts of their model fields.
    The version is validated as a whole (model `clean`: promised limit <= statutory limit, fees
    >= 0, no proxy fee), so nothing half-valid is stored; a failure raises ValidationFailed.
    """
    unknown = set(fields) - set(CONTENT_FIELDS) - {"implementing_unit_id"}
    if unknown:
        raise ValidationFailed(
            _("未知或不可设置的事项字段：%(f)s") % {"f": "、".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    if not local_code:
        raise ValidationFailed(_("本地编码不能为空"), field="local_code")
    item, _created = Item.objects.get_or_create(local_code=local_code)
    number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ItemVersion(item=item, number=number, status=ItemVersion.Status.DRAFT, **fields)
    _clean(version)
    version.save()
    _add_children(version, materials=materials, fees=fees, steps=steps, joint_units=joint_units)
    admin_action_record(
        actor=actor,
        action=AdminActionKind.ADD,
        obj=version,
        note=_("%(code)s 第%(n)s版草稿") % {"code": local_code, "n": number},
    )
    return version


def version_snapshot(version: ItemVersion) -> dict:
    """The content of a version as plain data: fields, joint units, materials, fees, steps.

    Used to copy a version into a new draft and to tell whether an import changes an item.
    """
    data = {name: getattr(version, name) for name in CONTENT_FIELDS if name != "implementing_unit"}
    data["implementing_unit"] = version.implementing_unit
    return {
        "fields": data,
        "joint_units": sorted(version.joint_units.all(), key=lambda u: u.code),
        "materials": [_material_data(m) for m in version.materials.all()],
        "fees": [{name: getattr(f, name) for name in FEE_FIELDS} for f in version.fees.all()],
        "steps": [{name: getattr(s, name) for name in STEP_FIELDS} for s in version.steps.all()],
    }


def _material_data(m: Material) -> dict:
    data = {name: getattr(m, name) for name in MATERIAL_FIELDS}
    # A copied version shares the stored files by name; never hand another row's FieldFile over.
    data["template"] = m.template.name or ""
    data["sample"] = m.sample.name or ""
    return data


def _latest_version(item: Item) -> ItemVersion | None:
    return item.versions.order_by("-number").first()


@transaction.atomic
def item_version_revise(
    *,
    item: Item,
    actor,
    changes: dict,
    materials: list[dict] | None = None,
    fees: list[dict] | None = None,
    steps: list[dict] | None = None,
    joint_units=None,
) -> ItemVersion:
    """Make a new draft of `item`: a copy of its newest version with `changes` applied.

    The copy starts from the newest version (a pending draft carries the latest edits, otherwise
    it is the published one), which itself is left untouched: published versions are never edited
    because cases refer to them. `materials`, `fees`, `steps` and `joint_units`, when given,
    replace the copied lists; None keeps them.
    """
    base = _latest_version(item)
    if base is None:
        raise ValidationFailed(_("该事项还没有任何版本，请先新建"), field="item")
    snap = version_snapshot(base)
    forbidden = set(changes) - set(CONTENT_FIELDS)
    if forbidden:
        raise ValidationFailed(
            _("未知或不可修改的事项字段：%(f)s") % {"f": "、".join(sorted(forbidden))},
            field=sorted(forbidden)[0],
        )
    fields = {**snap["fields"], **changes}
    return item_version_create(
        local_code=item.local_code,
        materials=snap["materials"] if materials is None else materials,
        fees=snap["fees"] if fees is None else fees,
        steps=snap["steps"] if steps is None else steps,
        joint_units=snap["joint_units"] if joint_units is None else joint_units,
        actor=actor,
        **fields,
    )


@transaction.atomic
def item_version_publish(*, version: ItemVersion, actor=None) -> ItemVersion:
    """Publish a draft: it becomes the item's current version, the previous one is superseded.

    Only a draft newer than the current version can be published, and only when it passes
    `version_publish_problems`; otherwise nothing changes.
    """
    item = Item.objects.select_for_update(of=("self",)).get(pk=version.item_id)
    version = transition(ItemVersionMachine(), version, action="publish", actor=actor)
    item.published_version = version
    item.retired_at = None
    item.retired_by = None
    item.retired_reason = ""
    item.save(
        update_fields=[
            "published_version",
            "retired_at",
            "retired_by",
            "retired_reason",
            "updated_at",
        ]
    )
    admin_action_record(
        actor=actor,
        action=AdminActionKind.PUBLISH,
        obj=version,
        note=_("%(code)s 第%(n)s版") % {"code": item.local_code, "n": version.number},
    )
    return version


@transaction.atomic
def item_retire(*, item: Item, actor, reason: str = "") -> Item:
    """Withdraw an item from the public catalog (e.g. the service was abolished or merged).

    Nothing is deleted: the published version is marked retired and stays attached to the cases
    accepted under it; publishing a new version later brings the item back.
    """
    item = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if item.retired_at is not None:
        raise Conflict(_("该事项已废止"))
    if item.published_version_id is None:
        raise Conflict(_("该事项没有现行版本，无需废止"))
    # Recorded first, while the item still shows its published name.
    admin_action_record(actor=actor, action=AdminActionKind.RETIRE, obj=item, note=reason)
    transition(ItemVersionMachine(), item.published_version, action="retire", actor=actor)
    item.published_version = None
    item.retired_at = timezone.now()
    item.retired_by = actor
    item.retired_reason = reason
    item.save(
        update_fields=[
            "published_version",
            "retired_at",
            "retired_by",
            "retired_reason",
            "updated_at",
        ]
    )
    return item
