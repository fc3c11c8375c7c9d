"""Online-application drafts: what was typed and uploaded, kept until submitted or abandoned."""

import contextlib
import datetime as dt
import functools
import os

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone

from bianmin.catalog.models import ItemVersion

from ..models import ApplicationDraft
from ..uploads import CheckedUpload

DRAFT_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "id_number",
    "credit_code",
    "phone",
    "contact",
    "address",
    "subject",
    "region",
)


def draft_save(*, token: str, item_version: ItemVersion, data: dict) -> ApplicationDraft:
    """Keep what was typed (only known text fields, each cut to a sane length)."""
    clean = {k: str(data.get(k, ""))[:300] for k in DRAFT_FIELDS if k in data}
    draft, _created = ApplicationDraft.objects.get_or_create(
        token=token, defaults={"item_version": item_version, "data": {}}
    )
    dropped = []
    if draft.item_version_id != item_version.pk:
        # Another item's materials mean nothing here; their files go with them (a draft's files
        # are personal data kept only for the form they were uploaded to).
        dropped = _draft_paths(draft)
        draft.item_version, draft.data = item_version, {}
    draft.data = {**draft.data, **clean}
    draft.save()
    for path in dropped:
        _draft_file_delete(path)
    return draft


def draft_keep_file(
    *, draft: ApplicationDraft, material_id: int, upload: CheckedUpload
) -> ApplicationDraft:
    """Store an accepted upload with the draft, so a later error elsewhere does not lose it."""
    path = default_storage.save(
        f"portal/drafts/{draft.token[:16]}/{material_id}.{upload.extension}",
        ContentFile(upload.content),
    )
    files = dict(draft.data.get("files") or {})
    old = files.get(str(material_id))
    if old and old.get("path") != path:
        default_storage.delete(old["path"])
    files[str(material_id)] = {
        "path": path,
        "name": upload.original_name,
        "type": upload.content_type,
        "size": len(upload.content),
    }
    draft.data = {**draft.data, "files": files}
    draft.save(update_fields=["data", "updated_at"])
    return draft


# Personal data minimisation (个人信息保护法 art. 6 and 19: keep personal information only as long
# as the purpose needs): a draft nobody touched for this many days is abandoned, and it and its
# uploaded files (ID cards, forms) are deleted by `draft_uploads_purge`.
DRAFT_KEEP_DAYS = 30
DRAFT_UPLOAD_DIR = "portal/drafts/"


def _draft_paths(draft: ApplicationDraft) -> list[str]:
    return [
        meta["path"]
        for meta in (draft.data.get("files") or {}).values()
        if isinstance(meta, dict) and str(meta.get("path") or "").startswith(DRAFT_UPLOAD_DIR)
    ]


def _file_referenced(path: str) -> bool:
    """Whether any stored file field still names `path` (a submitted application's material,
    which a case's file lists): such a file is never deleted with a draft."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, FileField)
                and model._default_manager.filter(**{field.name: path}).exists()
            ):
                return True
    return False


def _draft_file_delete(path: str) -> bool:
    """Delete a draft's upload (and its folder once empty) unless something else refers to it."""
    if not path.startswith(DRAFT_UPLOAD_DIR) or _file_referenced(path):
        return False
    if not default_storage.exists(path):
        return False
    default_storage.delete(path)
    # Not a local disk, or the folder still holds other files: leave the folder.
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(os.path.dirname(default_storage.path(path)))
    return True


def draft_uploads_purge(*, older_than_days: int = DRAFT_KEEP_DAYS, today: dt.date | None = None):
    """Delete online-application drafts untouched for `older_than_days` days (before local midnight
    of `today` minus that many days) with their uploaded files, and returns the counts.

    Rule: personal data minimisation (个人信息保护法 art. 6/19), see DRAFT_KEEP_DAYS. Submitted
    applications are never drafts (submitting deletes the draft) and keep their files: a file that
    any file field still names is kept. Each draft is removed in its own transaction, re-checked
    under its row lock so a draft touched meanwhile stays; its files go once that commits. Files
    left under portal/drafts/ by no draft and no record (older than the same cut-off) go too.
    Running it again deletes nothing more.
    """
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=older_than_days), dt.time.min)
    )
    counts = {"drafts": 0, "files": 0, "kept_files": 0, "orphan_files": 0}
    stale = list(
        ApplicationDraft.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in stale:
        with transaction.atomic():
            draft = (
                ApplicationDraft.objects.select_for_update()
                .filter(pk=pk, updated_at__lt=cutoff)
                .first()
            )
            if draft is None:
                continue
            paths = _draft_paths(draft)
            draft.delete()
            counts["drafts"] += 1
            for path in paths:
                if _file_referenced(path) or not default_storage.exists(path):
                    counts["kept_files"] += 1
                    continue
                counts["files"] += 1
                transaction.on_commit(functools.partial(_draft_file_delete, path))
    counts["orphan_files"] = _draft_orphans_purge(cutoff)
    return counts


def _draft_orphans_purge(cutoff: dt.datetime) -> int:
    """Old files under portal/drafts/ that no draft names and no record refers to (left by a
    crash between storing a file and saving its draft, or by older code)."""
    try:
        folders, _files = default_storage.listdir(DRAFT_UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    named = {p for d in ApplicationDraft.objects.only("data") for p in _draft_paths(d)}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                named.update(
                    model._default_manager.filter(
                        **{f"{field.name}__startswith": DRAFT_UPLOAD_DIR}
                    ).values_list(field.name, flat=True)
                )
    removed = 0
    for folder in folders:
        _dirs, names = default_storage.listdir(DRAFT_UPLOAD_DIR + folder)
        for name in names:
            path = f"{DRAFT_UPLOAD_DIR}{folder}/{name}"
            if path in named or default_storage.get_modified_time(path) >= cutoff:
                continue
            if _draft_file_delete(path):
                removed += 1
    return removed
