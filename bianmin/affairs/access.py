"""Who may keep and who may read a village's affairs."""

from django.utils.translation import gettext as _

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.models import Region, RoleCode
from bianmin.orgs.scope import Scope, scope_for

KEEPER_ROLES = (RoleCode.HEAD, RoleCode.WINDOW_STAFF, RoleCode.APPROVER, RoleCode.ADMINISTRATOR)


def check_village(village: Region) -> None:
    if village is None or village.level != "village":
        raise ValidationFailed(_("请指定村(社区)"), field="village")


def require_trustee(actor, village: Region, scope: Scope | None = None) -> None:
    """三资托管 is kept by the township holding the assets in trust (or an administrator above).
    `scope`: the actor's, when the caller has it already (a menu checks many villages)."""
    check_village(village)
    if actor is not None and actor.is_superuser:
        return
    scope = scope or scope_for(actor)
    staff = getattr(actor, "staff", None)
    if (
        scope.kind not in ("township", "jurisdiction")
        or not scope.can_see_region(village.code)
        or staff is None
        or not staff.has_role(*KEEPER_ROLES)
    ):
        raise PermissionDenied(_("三资托管账目由乡镇代管，您无权登记"))


def in_confidence(actor, village: Region, scope: Scope | None = None) -> bool:
    """Mediation records are confidential to the village and its township."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    scope = scope or scope_for(actor)
    return scope.kind in ("village", "township") and scope.can_see_region(village.code)


def require_confidence(actor, village: Region, scope: Scope | None = None) -> None:
    check_village(village)
    if not in_confidence(actor, village, scope):
        raise PermissionDenied(_("调解记录仅限本村(社区)和所属乡镇(街道)查阅"))


def require_village_worker(actor, village: Region, scope: Scope | None = None) -> None:
    """Deliberations are recorded by the village's station or its township."""
    require_confidence(actor, village, scope)
