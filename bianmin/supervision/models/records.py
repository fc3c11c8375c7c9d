"""The supervision queue's history (督办记录) and the daily jobs' claims."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaints import Complaint


class DailyJobRun(models.Model):
    """One daily job (or the daily scheduler itself) claimed for one day.

    The unique (job, day) pair is the claim: whichever worker, restart or command inserts it first
    runs or schedules that job for that day, every other one finds it taken, so no day is run or
    scheduled twice however many workers share the queue.
    """

    job = models.CharField(_("任务"), max_length=200)
    day = models.DateField(_("日期"))
    task_id = models.CharField(_("任务队列编号"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="supervision_daily_job_once")
        ]
        verbose_name = _("每日任务记录")
        verbose_name_plural = _("每日任务记录")

    def __str__(self) -> str:
        return f"{self.day} {self.job}"


class SupervisionStep(models.TextChoices):
    NOTICE = "notice", _("督办通知")
    DEADLINE = "deadline", _("设定督办期限")
    NOTE = "note", _("处理记录")
    CLOSE = "close", _("办结督办")


class SupervisionRecord(models.Model):
    """One step a supervisor took on a case (or complaint) in the supervision queue: a notice
    to the responsible unit's head, a deadline set, a handling note, the closing result.

    The queue shows one row per case whatever the number of its deadlines under oversight; these
    records are the case's supervision history, appended, never changed.
    """

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_records",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_records",
    )
    step = models.CharField(_("督办环节"), max_length=10, choices=SupervisionStep.choices)
    text = models.TextField(_("内容"))
    due_on = models.DateField(_("督办期限"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) ^ models.Q(complaint__isnull=False),
                name="supervision_record_one_subject",
            )
        ]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")

    def __str__(self) -> str:
        return f"{self.case_id or self.complaint_id} {self.step}"
