"""Writes to the catalog: versions are created as drafts and published explicitly."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import Fee, Item, ItemVersion, Material, StepTemplate


@transaction.atomic
def item_version_create(
    *,
    local_code: str,
    materials: list[dict] = (),
    fees: list[dict] = (),
    steps: list[dict] = (),
    joint_units=(),
    **fields,
) -> ItemVersion:
    """Create the next draft version of the item with `local_code` (the item itself if new).

    `fields` are ItemVersion fields; materials, fees and steps are dicts of their model fields.
    The version is validated as a whole (model `clean`), so nothing half-valid is stored.
    """
    item, _created = Item.objects.get_or_create(local_code=local_code)
    number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ItemVersion(item=item, number=number, status=ItemVersion.Status.DRAFT, **fields)
    version.full_clean()
    version.save()
    if joint_units:
        version.joint_units.set(joint_units)
    for i, m in enumerate(materials):
        obj = Material(version=version, position=m.pop("position", i + 1), **m)
        obj.full_clean()
        obj.save()
    for f in fees:
        obj = Fee(version=version, **f)
        obj.full_clean()
        obj.save()
    for i, s in enumerate(steps):
        obj = StepTemplate(version=version, position=s.pop("position", i + 1), **s)
        obj.full_clean()
        obj.save()
    return version


@transaction.atomic
def item_version_publish(*, version: ItemVersion, actor=None) -> ItemVersion:
    """Publish a draft: it becomes the item's current version, the previous one is superseded."""
    item = Item.objects.select_for_update().get(pk=version.item_id)
    ItemVersion.objects.filter(item=item, status=ItemVersion.Status.PUBLISHED).update(
        status=ItemVersion.Status.SUPERSEDED
    )
    version.status = ItemVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    item.published_version = version
    item.save(update_fields=["published_version", "updated_at"])
    return version
