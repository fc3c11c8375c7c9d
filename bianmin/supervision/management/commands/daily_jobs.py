"""`bianmin daily_jobs [--date YYYY-MM-DD] [--force] [--schedule]`: the daily jobs of a day
(BIANMIN_DAILY_JOBS) run now in this process, or (`--schedule`) the worker's daily chain made sure
of, as `make demo` does before it starts `bianmin db_worker`."""

import json

from django.core.management.base import BaseCommand

from bianmin.common.commands import date_option
from bianmin.supervision.daily import daily_jobs_ensure, daily_jobs_run


class Command(BaseCommand):
    help = (
        "运行某日的全部每日任务（AB岗交接、视为受理、电子监察、月报提醒、草稿清理）/ run the "
        "daily jobs of a day; --schedule queues today's and tomorrow's runs for `bianmin db_worker`"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--force", action="store_true", help="run jobs already run that day again"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue today's run (now) and tomorrow's (at BIANMIN_DAILY_JOBS_AT) on the task "
            "queue unless already queued, instead of running the jobs here",
        )

    def handle(self, *args, date=None, force=False, schedule=False, **options):
        day = date_option(date)
        if schedule:
            for when, task_id in daily_jobs_ensure(today=day).items():
                said = f"queued {task_id}" if task_id else "already scheduled"
                self.stdout.write(f"{when}: {said}")
            return
        from django.utils import timezone

        result = daily_jobs_run(day=day or timezone.localdate(), force=force)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        for path, error in result.failed.items():
            self.stderr.write(f"{path}: {error}")
        if result.failed:
            raise SystemExit(2)
