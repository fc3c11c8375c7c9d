"""`bianmin supervise [--date YYYY-MM-DD] [--enqueue]`: the daily supervision sweep, for a timer."""

import json

from django.core.management.base import BaseCommand

from bianmin.common.commands import date_option
from bianmin.supervision.services import supervision_sweep
from bianmin.supervision.tasks import result_dict, supervise_task


class Command(BaseCommand):
    help = (
        "Run the supervision sweep (yellow/red alerts, notifications, oversight orders) for a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to sweep, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="put the sweep on the task queue for `bianmin db_worker` instead of running it",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, date=None, enqueue=False, json_out=False, **options):
        json_out = options.get("json", json_out)
        day = date_option(date)
        if enqueue:
            handle = supervise_task.enqueue(str(day) if day else None)
            self.stdout.write(f"enqueued {handle.id}")
            return
        result = supervision_sweep(today=day)
        if json_out:
            self.stdout.write(json.dumps(result_dict(result), ensure_ascii=False))
        else:
            self.stdout.write(str(result.summary()))
            for number, error in result.errors:
                self.stderr.write(f"{number}: {error}")
        if result.errors:
            # A non-zero exit lets the timer's monitoring see failed cases; the rest were swept.
            raise SystemExit(2)
