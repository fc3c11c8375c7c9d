"""Seed the holiday calendar from the chinesecalendar package for every year it knows."""

from django.db import migrations


def seed(apps, schema_editor):
    from bianmin.workdays.services import PACKAGE_YEARS, package_exceptions

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    for year in PACKAGE_YEARS:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        CalendarDay.objects.bulk_create(
            CalendarDay(date=d, is_workday=w, name=n) for d, w, n in package_exceptions(year)
        )
        CalendarYear.objects.create(year=year, source="package", note="chinesecalendar 1.11")


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
