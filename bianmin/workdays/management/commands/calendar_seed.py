from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bianmin.common.errors import DomainError
from bianmin.workdays import services
from bianmin.workdays.management.text import year_ranges


class Command(BaseCommand):
    help = "Reload the holiday calendar from the chinesecalendar package (years entered by hand are kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="Only this year (repeatable). Default: every year the package knows.",
        )
        parser.add_argument(
            "--include-manual",
            action="store_true",
            help="Also replace years an administrator entered by hand with the package's data.",
        )

    def handle(self, *args, years=None, include_manual=False, **options):
        try:
            result = services.calendar_seed_from_package(
                years or services.PACKAGE_YEARS, include_manual=include_manual
            )
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(
            _("已载入：%(l)s；未变化：%(u)s；工作日有变化（已通知重新计算）：%(c)s")
            % {
                "l": year_ranges(result.loaded),
                "u": year_ranges(result.unchanged),
                "c": year_ranges(result.changed),
            }
        )
        if result.skipped_manual:
            self.stdout.write(
                _("管理员录入的年度未改动：%(y)s（如需以软件包数据覆盖，加 --include-manual）")
                % {"y": year_ranges(result.skipped_manual)}
            )
