"""`bianmin flags_sweep [--date YYYY-MM-DD]`: art. 32 deemed acceptance and the case flags."""

import json

from django.core.management.base import BaseCommand

from bianmin.cases.services import flags_sweep
from bianmin.cases.tasks import flags_sweep_result
from bianmin.common.commands import date_option


class Command(BaseCommand):
    help = (
        "视为受理（行政许可法第32条：5个工作日内未受理也未告知补正）、容缺材料逾期、环节超时、"
        "下级转报超期 / deemed acceptance (art. 32) and case flags, run daily; idempotent"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check, YYYY-MM-DD (default: today)")

    def handle(self, *args, date=None, **options):
        day = date_option(date)
        self.stdout.write(
            json.dumps(flags_sweep_result(flags_sweep(today=day)), ensure_ascii=False)
        )
