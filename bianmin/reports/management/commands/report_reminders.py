"""`bianmin report-reminders`: generate last month's drafts, remind before the 5th, flag late.

Run daily from a timer (cron/systemd); running it twice a day sends nothing twice.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand

from bianmin.reports.services import report_reminders


class Command(BaseCommand):
    help = "Monthly reports: create drafts, remind townships before the due date, flag late ones."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        day = dt.date.fromisoformat(today) if today else None
        result = report_reminders(today=day)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
