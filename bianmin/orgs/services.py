"""Writes to the organisation: regions, units, staff. Each validates with the model's rules."""

from django.contrib.auth import get_user_model
from django.db import transaction

from bianmin.common.admin_log import admin_action_record
from bianmin.common.models import AdminActionKind

from .models import Region, Staff, Unit


@transaction.atomic
def region_create(*, code: str, name: str, parent: Region | None = None) -> Region:
    """Create a region after checking its code against its parent (RULES.md "Division codes")."""
    region = Region(code=code, name=name, parent=parent)
    region.full_clean()
    region.save()
    return region


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    region: Region,
    code: str,
    parent: Unit | None = None,
    window_type: str = "",
    **fields,
) -> Unit:
    """Create a unit; a unit under the wrong parent or at the wrong level is refused."""
    unit = Unit(
        name=name,
        kind=kind,
        region=region,
        code=code,
        parent=parent,
        window_type=window_type,
        **fields,
    )
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    full_name: str,
    unit: Unit | None,
    roles: list[str],
    phone: str = "",
    title: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor=None,
) -> Staff:
    """Create an account and its staff profile; `actor` is who did it (None: a command or the
    demo seed), recorded in the admin action log."""
    User = get_user_model()
    user = User(username=username, is_staff=is_staff or is_superuser, is_superuser=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    staff = Staff(
        user=user, unit=unit, full_name=full_name, roles=list(roles), phone=phone, title=title
    )
    staff.full_clean()
    staff.save()
    admin_action_record(actor=actor, action=AdminActionKind.ADD, obj=staff)
    return staff


@transaction.atomic
def staff_set_backup(*, staff: Staff, backup: Staff | None, actor=None) -> Staff:
    """Name the AB-post backup (AB岗) who covers `staff` when away."""
    staff.backup = backup
    staff.full_clean()
    staff.save(update_fields=["backup", "updated_at"])
    admin_action_record(actor=actor, action=AdminActionKind.CHANGE, obj=staff, fields=["backup"])
    return staff


@transaction.atomic
def account_set_password(*, actor, user, password: str) -> None:
    """Set `user`'s password (already checked against AUTH_PASSWORD_VALIDATORS by the form) and
    record it in the admin action log. Every API token issued before ends with it (their
    password stamp no longer matches, see bianmin.api.models.password_stamp)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    admin_action_record(actor=actor, action=AdminActionKind.PASSWORD, obj=user, fields=["password"])
