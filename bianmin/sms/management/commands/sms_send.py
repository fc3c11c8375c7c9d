"""`bianmin sms_send`: send the queued short messages that are due, for a cron job beside (or
instead of) the task worker."""

import json

from django.core.management.base import BaseCommand

from bianmin.sms.services import sms_send_due


class Command(BaseCommand):
    help = "Send the queued short messages (短信) that are due; print how many by status."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="at most this many (500)")

    def handle(self, *args, limit=500, **options):
        counts = sms_send_due(limit=limit)
        self.stdout.write(json.dumps(counts, ensure_ascii=False, sort_keys=True))
