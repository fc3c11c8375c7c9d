from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bianmin.workdays import calendar
from bianmin.workdays.context_processors import today
from bianmin.workdays.management.text import year_ranges
from bianmin.workdays.models import CalendarYear


class Command(BaseCommand):
    help = "List the years the holiday calendar covers and warn when this or next year is missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with an error when the current year is not covered (for monitoring).",
        )

    def handle(self, *args, strict=False, **options):
        entries = list(CalendarYear.objects.select_related("entered_by").order_by("year"))
        by_source: dict[str, list[int]] = {}
        for e in entries:
            by_source.setdefault(e.get_source_display(), []).append(e.year)
        self.stdout.write(_("已录入年度："))
        for source, years in by_source.items():
            self.stdout.write(f"  {year_ranges(years)}  ({source})")
        if not entries:
            self.stdout.write("  —")
        for e in entries:
            if e.source == CalendarYear.Source.MANUAL:
                who = e.entered_by.get_username() if e.entered_by else "—"
                self.stdout.write(f"  {e.year}: {e.note or '—'} / {who} / {e.entered_at:%Y-%m-%d}")
        now = today()
        missing = calendar.uncovered_years([now.year, now.year + 1])
        if now.year in missing:
            self.stderr.write(
                self.style.ERROR(
                    _("警告：本年度（%(y)s）节假日安排尚未录入，期限按周一至周五临时计算。")
                    % {"y": now.year}
                )
            )
        if now.year + 1 in missing:
            self.stderr.write(
                self.style.WARNING(
                    _("提示：%(y)s 年节假日安排尚未录入，国务院公布后请及时录入。")
                    % {"y": now.year + 1}
                )
            )
        if not missing:
            self.stdout.write(self.style.SUCCESS(_("本年度和下一年度均已录入。")))
        if strict and now.year in missing:
            raise CommandError(_("本年度节假日安排缺失"))
