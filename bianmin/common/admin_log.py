"""The admin action log (等保 2.0 level 3, 安全审计): every change of staff, accounts, roles, the
catalog and the calendar, one row each, in one table whichever way it was made.

Services call `admin_action_record` in their own transaction; Django admin pages are covered by
`AdminActionLogged`, a ModelAdmin mixin that adds our row beside the admin's own LogEntry, so
the log page reads one table for both.
"""

import json
from collections.abc import Iterable

from django.contrib.admin.models import LogEntry
from django.core.exceptions import FieldDoesNotExist

from .models import AdminAction, AdminActionKind


def _labels(obj, fields: Iterable[str]) -> list[str]:
    labels = []
    for name in fields:
        try:
            labels.append(str(obj._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return labels


def _as_changes(message) -> tuple[list, str]:
    """The admin's change message (a list, its JSON text or a plain sentence) as
    (structured changes, free note)."""
    if isinstance(message, list):
        return message, ""
    if isinstance(message, str) and message.startswith("["):
        try:
            return json.loads(message), ""
        except json.JSONDecodeError:
            pass
    return [], str(message or "")


def admin_action_record(
    *,
    actor,
    action: str,
    obj=None,
    fields: Iterable[str] = (),
    changes=None,
    note: str = "",
) -> AdminAction:
    """Record that `actor` (a user; None for the system, e.g. a command run by an operator)
    made `action` on `obj`. `fields` names the model fields changed; `changes` is a Django admin
    change message instead, as the admin hooks have it; `note` says what else matters (a
    version number, import counts)."""
    structured, extra = _as_changes(changes)
    fields = list(fields)
    if fields and obj is not None:
        structured = [*structured, {"changed": {"fields": _labels(obj, fields)}}]
    elif action == AdminActionKind.ADD and not structured:
        structured = [{"added": {}}]
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    return AdminAction.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=structured,
        note=" ".join(p for p in (note, extra) if p)[:500],
    )


def change_text(action: AdminAction) -> str:
    """The changes as a sentence in the current language, worded as the Django admin does."""
    if not action.changes:
        return ""
    return str(LogEntry(change_message=json.dumps(action.changes)).get_change_message())


class AdminActionLogged:
    """ModelAdmin mixin: each add, change and delete made in the admin also goes to the log."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        admin_action_record(
            actor=request.user, action=AdminActionKind.ADD, obj=obj, changes=message
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        admin_action_record(
            actor=request.user, action=AdminActionKind.CHANGE, obj=obj, changes=message
        )
        return entry

    def log_deletions(self, request, queryset):
        # Called before the rows go, so each still has its key and its name.
        for obj in queryset:
            admin_action_record(actor=request.user, action=AdminActionKind.DELETE, obj=obj)
        return super().log_deletions(request, queryset)  # type: ignore[misc]
