"""`bianmin rectifications_overdue [--date YYYY-MM-DD] [--enqueue]`: tell the responsible heads of
bad ratings not called back within 1 working day (and fixes past their deadline), for a daily
timer; running it again tells nobody twice."""

import json

from django.core.management.base import BaseCommand

from bianmin.common.commands import date_option
from bianmin.ratings.notify import rectifications_overdue_notify
from bianmin.ratings.tasks import rectifications_overdue_task


class Command(BaseCommand):
    help = "Notify unit heads of overdue bad-rating call-backs and rectifications."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="put the check on the task queue for `bianmin db_worker` instead of running it",
        )

    def handle(self, *args, date=None, enqueue=False, **options):
        day = date_option(date)
        if enqueue:
            handle = rectifications_overdue_task.enqueue(str(day) if day else None)
            self.stdout.write(f"enqueued {handle.id}")
            return
        result = rectifications_overdue_notify(today=day)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
