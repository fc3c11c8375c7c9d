"""Supervision data: alerts per clock, notifications, escalation rules, warning thresholds and
complaints. Rules live in services.py and selectors.py; these models hold data and invariants."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("意见建议")


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("待处理")
    DECIDED = "decided", _("已处理待答复")
    REPLIED = "replied", _("已答复")


class ComplaintOutcome(models.TextChoices):
    """What the inquiry found (经查证): only upheld complaints count against a person or unit
    (RULES.md "Supervision")."""

    UPHELD = "upheld", _("属实")
    PARTLY_UPHELD = "partly_upheld", _("部分属实")
    NOT_UPHELD = "not_upheld", _("不属实")


# The outcomes that count against the person or unit complained about.
UPHELD_OUTCOMES = (ComplaintOutcome.UPHELD, ComplaintOutcome.PARTLY_UPHELD)


class Complaint(TimeStampedModel):
    """A complaint or suggestion from the portal (or a window), owned by the responsible unit.

    RULES.md "Supervision": a complaint is decided on within 5 working days; the reply is due by
    `reply_due` and is visible to the complainant through the public lookup.
    """

    number = models.CharField(_("受理编号"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=ComplaintKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="complaints"
    )
    content = models.TextField(_("内容"))
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    staff = models.ForeignKey(
        "orgs.Staff",
        verbose_name=_("被投诉人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("相关办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("相关事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    filed_on = models.DateField(_("提交日期"))
    decide_due = models.DateField(_("处理期限"))
    reply_due = models.DateField(_("答复期限"))
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("处理意见"), blank=True)
    # Set with the decision on a complaint (a suggestion has none); required before the reply.
    outcome = models.CharField(
        _("核查结论"), max_length=16, choices=ComplaintOutcome.choices, blank=True
    )
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.TextField(_("答复内容"), blank=True)
    provisional = models.BooleanField(_("期限暂定"), default=False)

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("投诉建议")
        verbose_name_plural = _("投诉建议")
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.number


class ComplaintContactView(models.Model):
    """Who revealed a complainant's phone number, and when (as `cases.PersonalDataView` logs the
    personal data of a case; a complaint need not have a case, so it is logged here)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="contact_views", verbose_name=_("投诉")
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查看人"),
    )
    viewed_at = models.DateTimeField(_("查看时间"), auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = _("投诉人联系方式查看记录")
        verbose_name_plural = _("投诉人联系方式查看记录")

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.complaint_id} {self.viewed_at}"


class Clock(models.TextChoices):
    """The clocks supervision watches (RULES.md "Supervision", "Time limits")."""

    CASE = "case", _("办结时限")
    STEP = "step", _("环节时限")
    PROXY = "proxy", _("代办时限")
    # A relay hop (a unit that neither accepts nor decides passes the case on) has its own
    # holding limit (BIANMIN_RELAY_HOLD_DAYS, default 1 working day).
    RELAY = "relay", _("中转时限")
    DEFERRED_MATERIAL = "deferred_material", _("容缺材料补交期限")
    DELIVERY = "delivery", _("送达时限")
    COMPLAINT_DECISION = "complaint_decision", _("投诉处理期限")
    COMPLAINT_REPLY = "complaint_reply", _("投诉答复期限")


class Level(models.TextChoices):
    YELLOW = "yellow", _("预警(黄牌)")
    RED = "red", _("超时(红牌)")


class Alert(models.Model):
    """One transition of one clock into yellow or red.

    `subject` names what the clock runs for ("case:12", "step:40", "material:7", "complaint:3");
    the unique constraint on (subject, clock, level, due_on) makes the sweep idempotent: the same
    state of the same deadline is recorded (and notified) once. A deadline that moves (extension,
    recomputed provisional date) is a new deadline and may warn again.
    """

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="supervision_alerts",
    )
    clock = models.CharField(_("时限"), max_length=20, choices=Clock.choices)
    subject = models.CharField(_("对象"), max_length=40)
    level = models.CharField(_("级别"), max_length=6, choices=Level.choices)
    due_on = models.DateField(_("期限"))
    limit_days = models.IntegerField(_("时限(工作日)"))
    days_left = models.IntegerField(_("剩余工作日"))  # negative: working days over
    detail = models.CharField(_("说明"), max_length=300)
    raised_on = models.DateField(_("发出日期"))
    raised_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    notified = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("已通知"), blank=True, related_name="+"
    )
    escalated = models.BooleanField(_("已升级"), default=False)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "clock", "level", "due_on"], name="supervision_alert_once"
            )
        ]
        indexes = [models.Index(fields=["level", "raised_on"])]
        verbose_name = _("监察预警")
        verbose_name_plural = _("监察预警")

    def __str__(self) -> str:
        return f"{self.subject} {self.clock} {self.level}"


class Notification(models.Model):
    """A message to one user in the system (预警通知); read in the notification list."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="supervision_notifications",
    )
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    read = models.BooleanField(_("已读"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # What the notification is about ("complaint:12:filed", "rectification:4:overdue:2026-12-01"):
    # a job that runs again does not notify the same person of the same thing twice.
    key = models.CharField(_("通知事由"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="supervision_notification_once",
            )
        ]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.text[:40]


class WarningThreshold(models.Model):
    """Per-item yellow threshold; items without a row use the settings defaults
    (`BIANMIN_WARNING_DAYS_BEFORE` = 1, `BIANMIN_WARNING_PERCENT_LEFT` = 20)."""

    item = models.OneToOneField(
        "catalog.Item",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="warning_threshold",
    )
    days_before = models.PositiveSmallIntegerField(_("提前预警工作日"), default=1)
    percent_left = models.PositiveSmallIntegerField(_("剩余时限百分比"), default=20)

    class Meta:
        verbose_name = _("预警阈值")
        verbose_name_plural = _("预警阈值")

    def __str__(self) -> str:
        return f"{self.item}: {self.days_before} / {self.percent_left}%"


class EscalationAction(models.TextChoices):
    NOTIFY_HIGHER = "notify_higher", _("通知上级单位")
    SUPERVISOR_QUEUE = "supervisor_queue", _("移交监察督办")


class EscalationRule(models.Model):
    """After `days_over` working days past a deadline, escalate (per item and case state).

    Empty item, state or clock match every item, state or clock.
    """

    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_rules",
    )
    case_state = models.CharField(_("办件状态"), max_length=20, blank=True)
    clock = models.CharField(_("时限"), max_length=20, choices=Clock.choices, blank=True)
    days_over = models.PositiveSmallIntegerField(_("超时工作日"))
    action = models.CharField(_("处置"), max_length=20, choices=EscalationAction.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["days_over", "pk"]
        verbose_name = _("升级规则")
        verbose_name_plural = _("升级规则")

    def __str__(self) -> str:
        return f"{self.item or '*'} {self.case_state or '*'} {self.clock or '*'} +{self.days_over}"


class Escalation(models.Model):
    """A red alert escalated by a rule; `supervisor_queue` rows form the supervisor's queue."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="escalations")
    rule = models.ForeignKey(EscalationRule, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("处置"), max_length=20, choices=EscalationAction.choices)
    target_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_on = models.DateField(_("升级日期"))
    resolved = models.BooleanField(_("已督办完毕"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_note = models.TextField(_("督办意见"), blank=True)

    class Meta:
        ordering = ["-escalated_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "rule"], name="supervision_escalate_once")
        ]
        verbose_name = _("升级督办")
        verbose_name_plural = _("升级督办")

    def __str__(self) -> str:
        return f"{self.alert} -> {self.action}"


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

    The queue shows one row per case whatever the number of its escalated deadlines; these
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
