"""Running the stations: duty roster, attendance and leave, training, assessment and subsidy.

Rules live in `services/` (writes) and `selectors/` (reads); these models hold data and invariants.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel

# ---------------------------------------------------------------------------------------------
# Duty roster (值班)


class RosterMode(models.TextChoices):
    ROTATION = "rotation", _("每日轮值")
    WEEKDAY = "weekday", _("固定受理日")


class RosterRule(TimeStampedModel):
    """How a unit's duty is shared: daily rotation in order, or fixed weekdays per person."""

    unit = models.OneToOneField(
        "orgs.Unit", on_delete=models.PROTECT, related_name="roster_rule", verbose_name=_("单位")
    )
    mode = models.CharField(_("排班方式"), max_length=10, choices=RosterMode.choices)

    class Meta:
        verbose_name = _("值班规则")
        verbose_name_plural = _("值班规则")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_mode_display()}"


class RosterMember(models.Model):
    rule = models.ForeignKey(RosterRule, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("顺序"))
    # Monday = 0 ... Sunday = 6; used in weekday mode only.
    weekdays = models.JSONField(_("受理日"), default=list, blank=True)

    class Meta:
        ordering = ["rule", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "staff"], name="roster_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.unit} #{self.position} {self.staff}"


class RosterMonth(models.Model):
    """A unit's roster for one month; drafts are seen by staff only, published ones by everyone."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="roster_month_once"),
        ]
        verbose_name = _("月值班表")
        verbose_name_plural = _("月值班表")

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class DutyDay(models.Model):
    """One person on duty at one unit on one day."""

    roster = models.ForeignKey(RosterMonth, on_delete=models.CASCADE, related_name="days")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="duty_days")

    class Meta:
        ordering = ["unit", "date", "staff__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "staff"], name="duty_day_once"),
        ]
        indexes = [models.Index(fields=["unit", "date"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.date} {self.staff}"


class DutyChangeKind(models.TextChoices):
    EDIT = "edit", _("调整")
    SWAP = "swap", _("换班")


class DutyChange(models.Model):
    """A change to a generated roster: who was on duty, who is now, why and by whom."""

    roster = models.ForeignKey(RosterMonth, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("类型"), max_length=6, choices=DutyChangeKind.choices)
    date = models.DateField(_("日期"))
    from_staff = models.ForeignKey(
        "orgs.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_staff = models.ForeignKey(
        "orgs.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a swap: the other date whose duty was exchanged.
    other_date = models.DateField(_("对调日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["roster", "at", "pk"]
        verbose_name = _("值班变更")
        verbose_name_plural = _("值班变更")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


# ---------------------------------------------------------------------------------------------
# Attendance and leave (考勤/请假)


class SignSource(models.TextChoices):
    PAGE = "page", _("工作台")
    TABLET = "tablet", _("站点平板")


class Attendance(models.Model):
    """One staff member's sign-in and sign-out on one day."""

    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="attendance")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    signed_in_at = models.DateTimeField(_("签到时间"))
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    source_in = models.CharField(_("签到方式"), max_length=8, choices=SignSource.choices)
    source_out = models.CharField(
        _("签退方式"), max_length=8, choices=SignSource.choices, blank=True
    )

    class Meta:
        ordering = ["day", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "day"], name="attendance_once_a_day"),
        ]
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")

    def __str__(self) -> str:
        return f"{self.staff} {self.day}"


class LeaveKind(models.TextChoices):
    ANNUAL = "annual", _("年休假")
    PERSONAL = "personal", _("事假")
    SICK = "sick", _("病假")
    OTHER = "other", _("其他假")


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    CANCELLED = "cancelled", _("已撤回")


class LeaveRequest(TimeStampedModel):
    """A written leave request, approved or refused by the unit head."""

    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="leaves")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=LeaveKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.TextField(_("事由"))
    document = models.FileField(_("证明材料"), upload_to="staffing/leave/%Y/", blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    # The AB-post backup who covered, fixed when the cover began.
    covered_by = models.ForeignKey(
        "orgs.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cover_started_at = models.DateTimeField(_("交接时间"), null=True, blank=True)
    returned_on = models.DateField(_("销假日期"), null=True, blank=True)
    returned_at = models.DateTimeField(_("销假时间"), null=True, blank=True)

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("请假")
        verbose_name_plural = _("请假")

    def __str__(self) -> str:
        return f"{self.staff} {self.get_kind_display()} {self.start}~{self.end}"


class QueueHandover(models.Model):
    """One case of a post holder's open queue held by their AB backup during a leave."""

    leave = models.ForeignKey(LeaveRequest, on_delete=models.PROTECT, related_name="handovers")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Whether the holder's work lock (Case.assigned_to) moved with the case.
    moved_lock = models.BooleanField(_("转移锁定"), default=False)
    started_at = models.DateTimeField(_("接办时间"))
    ended_at = models.DateTimeField(_("交回时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("AB岗交接")
        verbose_name_plural = _("AB岗交接")

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_user_id}->{self.to_user_id}"


# ---------------------------------------------------------------------------------------------
# Training (培训)


class TrainingSession(TimeStampedModel):
    topic = models.CharField(_("培训主题"), max_length=200)
    organiser = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    date = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    note = models.TextField(_("内容摘要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(
        "orgs.Staff", through="TrainingAttendance", related_name="trainings"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="rows")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="training_attended_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.staff}"
