"""Content: one plain representation of a catalog entry shared by export, import and the change
check."""

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from bianmin.orgs.models import Unit

from .. import services
from ..models import Fee, Item, ItemVersion, Material, StepTemplate


def money(value: Decimal) -> Decimal:
    """An amount to the cent: fees compare equal whatever the precision they were typed with."""
    return Decimal(value).quantize(Decimal("0.01"))


def version_content(version: ItemVersion) -> dict[str, Any]:
    """A version's catalog content as plain data (units by code, files by name).

    Two versions with equal content are the same entry for import and for the round-trip check.
    """
    snap = services.version_snapshot(version)
    fields = dict(snap["fields"])
    fields["implementing_unit"] = version.implementing_unit.code
    fields.pop("implementing_unit_id", None)
    fields["county_window"] = version.county_window.code if version.county_window_id else ""
    return {
        "fields": fields,
        "joint_units": sorted(u.code for u in snap["joint_units"]),
        "materials": sorted(
            (
                dict(m, template=m["template"] or "", sample=m["sample"] or "")
                for m in snap["materials"]
            ),
            key=lambda m: (m["position"], m["name"]),
        ),
        "fees": sorted(
            (dict(f, amount=money(f["amount"])) for f in snap["fees"]),
            key=lambda f: (f["name"], f["amount"]),
        ),
        "steps": sorted(snap["steps"], key=lambda s: (s["position"], s["name"])),
    }


def catalog_versions(*, published_only: bool = False) -> list[ItemVersion]:
    """The versions an export holds: per live item its newest version (drafts carry pending
    edits), or only the published ones. Retired items are left out."""
    items = (
        Item.objects.filter(retired_at__isnull=True)
        .select_related("published_version")
        .order_by("local_code")
    )
    if published_only:
        ids = [i.published_version_id for i in items if i.published_version_id]
    else:
        newest: dict[int, int] = {}
        for item_id, pk, number in ItemVersion.objects.filter(
            item__retired_at__isnull=True
        ).values_list("item_id", "pk", "number"):
            if item_id not in newest or number > newest[item_id][1]:
                newest[item_id] = (pk, number)
        ids = [pk for pk, _n in newest.values()]
    return list(
        ItemVersion.objects.filter(pk__in=ids)
        .select_related("item", "implementing_unit")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position", "pk")),
            Prefetch("fees", queryset=Fee.objects.order_by("pk")),
            Prefetch("steps", queryset=StepTemplate.objects.order_by("position", "pk")),
            Prefetch("joint_units", queryset=Unit.objects.order_by("code")),
        )
        .order_by("item__local_code")
    )
