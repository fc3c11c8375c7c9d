"""`bianmin draft_uploads_purge`: delete abandoned online-application drafts and their uploads
(run daily; personal data minimisation, see `bianmin.portal.services.DRAFT_KEEP_DAYS`)."""

import datetime as dt

from django.core.management.base import BaseCommand

from bianmin.portal.services import DRAFT_KEEP_DAYS, draft_uploads_purge


class Command(BaseCommand):
    help = "删除长期未提交的网上申报草稿及其上传文件 / purge abandoned application drafts"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=DRAFT_KEEP_DAYS,
            help=f"drafts untouched for this many days go (default {DRAFT_KEEP_DAYS})",
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (tests)"
        )

    def handle(self, *args, **options):
        counts = draft_uploads_purge(older_than_days=options["days"], today=options["today"])
        self.stdout.write(
            f"deleted {counts['drafts']} draft(s) and {counts['files']} file(s); "
            f"kept {counts['kept_files']} file(s) still referenced or gone; "
            f"deleted {counts['orphan_files']} orphan file(s)"
        )
