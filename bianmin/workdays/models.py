"""The holiday calendar: years whose schedule is known, and the days that break the weekday rule."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered (from the package or by hand)."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 软件包")
        MANUAL = "manual", _("管理员录入")

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("录入人"),
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已录入年度")
        verbose_name_plural = _("已录入年度")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that is not what the Monday-Friday rule says: a holiday or an adjusted working day (调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("节日"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"
