"""`bianmin flags_sweep [--date YYYY-MM-DD]`: art. 32 deemed acceptance and the case flags."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from bianmin.cases.services import flags_sweep
from bianmin.cases.tasks import flags_sweep_result


class Command(BaseCommand):
    help = (
        "视为受理（行政许可法第32条：5个工作日内未受理也未告知补正）、容缺材料逾期、环节超时、"
        "下级转报超期 / deemed acceptance (art. 32) and case flags, run daily; idempotent"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check, YYYY-MM-DD (default: today)")

    def handle(self, *args, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        self.stdout.write(
            json.dumps(flags_sweep_result(flags_sweep(today=day)), ensure_ascii=False)
        )
