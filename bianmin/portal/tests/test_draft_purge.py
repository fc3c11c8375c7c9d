"""Abandoned online-application drafts go with their uploaded files after DRAFT_KEEP_DAYS
(personal data minimisation); submitted applications and every file a record still names stay."""

import datetime as dt
import os
import secrets

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from bianmin.portal import services
from bianmin.portal.models import Application, ApplicationDraft, ApplicationFile
from bianmin.portal.uploads import upload_checked

from .conftest import pdf
from .test_application_and_status import APPLICANT


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def draft_with_files(pc, *, days_ago=0, data=APPLICANT):
    """A draft typed and given both materials `days_ago` days before now, through the services."""
    moment = timezone.now() - dt.timedelta(days=days_ago)
    with time_machine.travel(moment, tick=False):
        draft = services.draft_save(
            token=secrets.token_urlsafe(32), item_version=pc.homestead, data=data
        )
        for material in pc.homestead.materials.all():
            draft = services.draft_keep_file(
                draft=draft,
                material_id=material.pk,
                upload=upload_checked(pdf(f"{material.pk}.pdf"), field="f"),
            )
    return draft


def paths(draft):
    return [meta["path"] for meta in draft.data["files"].values()]


def on_disk(path):
    return default_storage.exists(path)


@pytest.mark.django_db(transaction=True)
def test_old_drafts_go_with_their_files_recent_ones_and_applications_stay(pc):
    old = draft_with_files(pc, days_ago=31)
    recent = draft_with_files(pc, days_ago=29)
    submitted_from = draft_with_files(pc, days_ago=40)
    app = services.application_submit(draft=submitted_from)
    app_files = list(app.files.values_list("file", flat=True))
    assert len(app_files) == 2 and all(on_disk(p) for p in app_files)
    old_paths = paths(old)
    assert all(on_disk(p) for p in old_paths)

    counts = services.draft_uploads_purge()

    assert counts == {"drafts": 1, "files": 2, "kept_files": 0, "orphan_files": 0}
    assert not ApplicationDraft.objects.filter(pk=old.pk).exists()
    assert not any(on_disk(p) for p in old_paths)
    assert not os.path.exists(os.path.dirname(default_storage.path(old_paths[0])))
    assert ApplicationDraft.objects.filter(pk=recent.pk).exists()
    assert all(on_disk(p) for p in paths(recent))
    assert Application.objects.filter(pk=app.pk).exists()
    assert all(on_disk(p) for p in app_files)
    # Twice is harmless: nothing more goes.
    assert services.draft_uploads_purge() == {
        "drafts": 0,
        "files": 0,
        "kept_files": 0,
        "orphan_files": 0,
    }
    assert ApplicationDraft.objects.filter(pk=recent.pk).exists()
    # The recent draft goes once it too is 30 days old.
    later = timezone.localdate() + dt.timedelta(days=30)
    assert services.draft_uploads_purge(today=later)["drafts"] == 1
    assert not any(on_disk(p) for p in paths(recent))
    assert all(on_disk(p) for p in app_files)


@pytest.mark.django_db(transaction=True)
def test_a_file_a_case_still_names_is_kept(pc):
    app = services.application_submit(draft=draft_with_files(pc, days_ago=1))
    assert app.case is not None
    case_file = ApplicationFile.objects.filter(application=app).first()
    # A stale draft that still lists the submitted material (the same stored file).
    stale = draft_with_files(pc, days_ago=60)
    own = paths(stale)
    files = {**stale.data["files"], "999": {"path": case_file.file.name, "name": "x.pdf"}}
    ApplicationDraft.objects.filter(pk=stale.pk).update(data={**stale.data, "files": files})

    counts = services.draft_uploads_purge()

    assert counts["drafts"] == 1 and counts["files"] == 2 and counts["kept_files"] == 1
    assert on_disk(case_file.file.name) and not any(on_disk(p) for p in own)
    case_file.refresh_from_db()
    assert case_file.file.read().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_old_orphan_files_go_new_ones_stay(pc, media):
    old = default_storage.save("portal/drafts/lost/1.pdf", pdf().file)
    new = default_storage.save("portal/drafts/lost/2.pdf", pdf().file)
    long_ago = (timezone.now() - dt.timedelta(days=45)).timestamp()
    os.utime(default_storage.path(old), (long_ago, long_ago))
    kept = draft_with_files(pc, days_ago=45)
    # The draft is touched again today: its old files stay with it.
    for p in paths(kept):
        os.utime(default_storage.path(p), (long_ago, long_ago))
    services.draft_save(token=kept.token, item_version=pc.homestead, data={"subject": "新建"})

    counts = services.draft_uploads_purge()

    assert counts["orphan_files"] == 1 and counts["drafts"] == 0
    assert not on_disk(old) and on_disk(new)
    assert all(on_disk(p) for p in paths(kept))


@pytest.mark.django_db(transaction=True)
def test_changing_item_drops_the_old_items_files(pc):
    draft = draft_with_files(pc)
    before = paths(draft)
    draft = services.draft_save(token=draft.token, item_version=pc.forest, data={})
    assert "files" not in draft.data
    assert not any(on_disk(p) for p in before)


@pytest.mark.django_db(transaction=True)
def test_command(pc, capsys):
    draft = draft_with_files(pc, days_ago=8)
    call_command("draft_uploads_purge", "--days", "7")
    out = capsys.readouterr().out
    assert "deleted 1 draft(s) and 2 file(s)" in out
    assert not ApplicationDraft.objects.filter(pk=draft.pk).exists()
    call_command("draft_uploads_purge", "--days", "7")
    assert "deleted 0 draft(s) and 0 file(s)" in capsys.readouterr().out
