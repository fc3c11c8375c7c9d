"""Reads of the published catalog.

The published catalog is public information (公开公示: the catalog, its materials and fees must be on
the public board), so these selectors take no viewer and apply no access scope: every reader,
signed in or not, sees the same published versions and never a draft.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.common.errors import DomainError, NotFound
from bianmin.orgs.models import Unit

from .models import Fee, ItemVersion, LifeEvent, Material, StepTemplate, Tier


def _published() -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(
        status=ItemVersion.Status.PUBLISHED, item__published_version__isnull=False
    ).select_related("item", "implementing_unit")


def _with_children(qs: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return qs.prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position", "pk")),
        Prefetch("fees", queryset=Fee.objects.order_by("pk")),
        Prefetch("steps", queryset=StepTemplate.objects.order_by("position", "pk")),
        Prefetch("joint_units", queryset=Unit.objects.order_by("code")),
    )


def tier_q(tier: str) -> Q:
    """Items a unit of `tier` takes in.

    A village agent may take an item the catalog marks village-proxyable (it carries the case up)
    or one the village itself accepts; townships and the county take what is accepted at their tier.
    """
    if tier == Tier.VILLAGE:
        return Q(village_proxy=True) | Q(accept_tier=Tier.VILLAGE)
    return Q(accept_tier=tier)


def item_list_published(
    *,
    tier: str | None = None,
    q: str | None = None,
    department: str | None = None,
    life_event: str | None = None,
    village_proxy: bool | None = None,
    online: bool | None = None,
) -> QuerySet[ItemVersion]:
    """The current published version of every item matching the filters, by local code.

    `q` is split on whitespace; every word must occur (case-insensitive substring) in the name,
    one of the codes, or a material's name. `department` is a unit code: items it implements or
    reviews jointly. Unknown `tier` or `life_event` values are refused (400), not ignored.
    """
    qs = _published()
    if tier:
        if tier not in Tier.values:
            raise DomainError(
                _("未知的层级：%(t)s（应为 village、township 或 county）") % {"t": tier},
                field="tier",
            )
        qs = qs.filter(tier_q(tier))
    if life_event:
        if life_event not in LifeEvent.values:
            raise DomainError(_("未知的主题：%(e)s") % {"e": life_event}, field="life_event")
        # JSON list membership by its serialised form works the same on SQLite and PostgreSQL.
        qs = qs.filter(life_events__icontains=f'"{life_event}"')
    if department:
        qs = qs.filter(
            Q(implementing_unit__code=department)
            | Q(
                pk__in=ItemVersion.joint_units.through.objects.filter(unit__code=department).values(
                    "itemversion_id"
                )
            )
        )
    if village_proxy is not None:
        qs = qs.filter(village_proxy=village_proxy)
    if online is not None:
        qs = qs.filter(online=online)
    for word in (q or "").split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(basic_code__icontains=word)
            | Q(implementation_code__icontains=word)
            | Q(item__local_code__icontains=word)
            | Q(pk__in=Material.objects.filter(name__icontains=word).values("version_id"))
        )
    return _with_children(qs.order_by("item__local_code"))


def item_get_published(code: str) -> ItemVersion:
    """The published version of the item whose local, implementation or basic code is `code`.

    Codes are tried in that order because only the local code is unique: one basic code may have
    several implementations (e.g. at township and county level).
    """
    qs = _with_children(_published())
    for lookup in ("item__local_code", "implementation_code", "basic_code"):
        version = qs.filter(**{lookup: code}).order_by("item__local_code").first()
        if version is not None:
            return version
    raise NotFound(_("未找到编码为“%(c)s”的已发布事项") % {"c": code}, field="code")
