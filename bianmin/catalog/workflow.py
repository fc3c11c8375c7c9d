"""The life of an item version (事项版本): draft → published → superseded by the next, or
retired with its item; as a table the common engine (`bianmin.common.workflow`) applies.

Versioning rule (issue 3, DESIGN.md "catalog"): publication is explicit and only of a draft that
is newer than the current version and passes `version_publish_problems`; the version it replaces
is superseded in the same transaction. Who may publish or retire is checked by the pages (the
catalog administrator, `admin.is_catalog_admin`); import and the demo data publish as trusted
callers. Publication and retirement are written to the admin log by the services, as before.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common import workflow as engine
from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.common.workflow import SYSTEM, Transition
from bianmin.orgs.models import RoleCode

from .models import CaseClass, ItemVersion

S = ItemVersion.Status
CATALOG_ADMIN = frozenset({RoleCode.ADMINISTRATOR})


def version_publish_problems(version: ItemVersion) -> list[tuple[str, str]]:
    """Rules a version must meet before the public sees it, as (field, message) pairs.

    Beyond the model's own checks: a joint item names its joint departments (联办件, DESIGN.md
    case classes); a material may be pledged only when the item allows pledges, and never on a
    high-risk item (RULES.md 告知承诺); proxy handling is free (county proxy rule).
    """
    problems: list[tuple[str, str]] = []
    try:
        version.full_clean(exclude=["item", "number"])
    except DjangoValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.extend((field, str(m)) for m in messages)
    if version.case_class == CaseClass.JOINT and not version.joint_units.exists():
        problems.append(("joint_units", _("联办件须指定联办部门")))
    if version.materials.filter(pledgeable=True).exists() and not version.pledge_allowed:
        problems.append(("materials", _("有材料标为可告知承诺，但事项未允许告知承诺")))
    for fee in version.fees.all():
        try:
            fee.full_clean(exclude=["version"])
        except DjangoValidationError as exc:
            for messages in exc.message_dict.values():
                problems.extend(("fees", f"{fee.name}：{m}") for m in messages)
    return problems


def g_publish(ctx: engine.Ctx) -> None:
    version = ctx.obj
    current = version.item.published_version
    if current is not None and current.number > version.number:
        raise Conflict(
            _("该草稿（第%(n)s版）早于现行版本（第%(c)s版），不能发布")
            % {"n": version.number, "c": current.number}
        )
    problems = version_publish_problems(version)
    if problems:
        field, message = problems[0]
        raise ValidationFailed(
            _("不能发布：%(m)s") % {"m": message},
            field=field,
            extra={"errors": [{"field": f, "message": m} for f, m in problems]},
        )


def e_publish(ctx: engine.Ctx) -> None:
    version = ctx.obj
    for older in ItemVersion.objects.filter(item_id=version.item_id, status=S.PUBLISHED):
        engine.transition(ItemVersionMachine(), older, action="supersede", actor=None)
    version.published_at, version.published_by = ctx.now, ctx.actor


T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("publish",   frozenset({S.DRAFT}),     S.PUBLISHED,  CATALOG_ADMIN, g_publish, e_publish),
    T("supersede", frozenset({S.PUBLISHED}), S.SUPERSEDED, SYSTEM, acts_for="system"),
    T("retire",    frozenset({S.PUBLISHED}), S.RETIRED,    CATALOG_ADMIN),
)
# fmt: on

ACTION_LABELS = {
    "publish": gettext_lazy("发布"),
    "supersede": gettext_lazy("被新版本替代"),
    "retire": gettext_lazy("废止"),
}


@engine.register
class ItemVersionMachine(engine.Machine):
    model = ItemVersion
    table = TABLE
    labels = ACTION_LABELS
    states = S
    noun = gettext_lazy("事项版本")
    state_field = "status"
    version_field = None
    related = ("item",)

    def allowed(self, row: Transition, obj, actor) -> bool:
        # The pages check the catalog administrator; services trust their callers.
        return True

    def illegal(self, obj, action: str, state: str) -> Exception:
        if action == "publish":
            return Conflict(
                _("只能发布草稿版本；该版本状态为“%(s)s”") % {"s": self.state_label(state)}
            )
        return super().illegal(obj, action, state)

    def save(self, ctx: engine.Ctx) -> None:
        # Only the lifecycle columns: a version's content is frozen once it left the draft.
        ctx.obj.save(update_fields=sorted(ItemVersion.LIFECYCLE_FIELDS))

    def record(self, ctx, *, action, from_state, to_state, note):
        """The services write publication and retirement to the admin log."""
