"""Running the stations: duty roster, attendance and leave, training, assessment and subsidy.

Rules live in `services/` (writes) and `selectors/` (reads); these models hold data and invariants.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class LeaveEvent(models.Model):
    """Append-only log of a leave request's status changes (approved, refused, withdrawn), written
    by the workflow engine (`staffing.workflow`): a withdrawal left no other trace."""

    leave = models.ForeignKey(LeaveRequest, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=10)
    to_state = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("请假记录")
        verbose_name_plural = _("请假记录")

    def __str__(self) -> str:
        return f"{self.leave_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("append-only record cannot be changed")
        super().save(*args, **kwargs)


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


class TrainingAudience(models.TextChoices):
    TOWNSHIP_AND_VILLAGE = "township_village", _("乡镇(街道)和村(社区)工作人员")
    TOWNSHIP = "township", _("乡镇(街道)便民服务中心工作人员")
    VILLAGE = "village", _("村(社区)代办员")


class TrainingSession(TimeStampedModel):
    """A session an organiser held for township and village staff (RULES.md "Training"): the
    county's approval bureau or a county department that delegates items."""

    topic = models.CharField(_("培训主题"), max_length=200)
    organiser = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    date = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    audience = models.CharField(
        _("培训对象"),
        max_length=20,
        choices=TrainingAudience.choices,
        default=TrainingAudience.TOWNSHIP_AND_VILLAGE,
    )
    note = models.TextField(_("内容摘要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(
        "orgs.Staff", through="TrainingAttendance", related_name="trainings"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organiser", "date"])]
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class TrainingAttendance(models.Model):
    """One person signed in at a session, and who recorded it (late sign-in sheets included)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="rows")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["session", "staff__unit__region__code", "staff__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="training_attended_once"),
        ]
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")

    def __str__(self) -> str:
        return f"{self.session} {self.staff}"


# ---------------------------------------------------------------------------------------------
# Assessment and subsidy (绩效考核/补助)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class AssessmentScheme(TimeStampedModel):
    """Weights, grade bands and subsidy factors; the newest active scheme applies."""

    name = models.CharField(_("名称"), max_length=100)
    # {"cases": 20, "on_time": 25, ...}: relative weights of the components.
    weights = models.JSONField(_("权重"))
    # [[90, "excellent"], [80, "good"], [60, "pass"]]: lowest score of each grade, high to low.
    bands = models.JSONField(_("等次分数线"))
    case_target = models.PositiveIntegerField(_("办件量满分线"), default=20)
    # {"excellent": 1.2, "good": 1.0, "pass": 0.8, "fail": 0}: subsidy multiplier per grade.
    grade_factors = models.JSONField(_("补助系数"))
    base_points = models.PositiveIntegerField(_("补助基础分"), default=10)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    """One person's assessment for one period, computed from the data and kept with its inputs."""

    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("考核期起"))
    period_end = models.DateField(_("考核期止"))
    scheme = models.JSONField(_("适用方案"))  # the weights and bands used, as they were
    metrics = models.JSONField(_("考核数据"))  # raw counts
    components = models.JSONField(_("分项得分"))  # 0..1 per component
    case_ids = models.JSONField(_("所涉办件"), default=list)
    score = models.DecimalField(_("计算得分"), max_digits=5, decimal_places=2)
    adjustment = models.DecimalField(_("负责人调整"), max_digits=5, decimal_places=2, default=0)
    adjustment_reason = models.TextField(_("调整理由"), blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_score = models.DecimalField(_("最终得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "unit", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "period_start", "period_end"], name="assessment_once_per_period"
            ),
        ]
        verbose_name = _("绩效考核")
        verbose_name_plural = _("绩效考核")

    def __str__(self) -> str:
        return f"{self.staff} {self.period_start}~{self.period_end} {self.get_grade_display()}"


class SubsidyPlan(TimeStampedModel):
    """A county's agent subsidy for a year, shared out of its budget."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    budget = models.DecimalField(_("年度预算(元)"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="subsidy_plan_once_a_year"),
        ]
        verbose_name = _("代办员补助")
        verbose_name_plural = _("代办员补助")

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


class SubsidyLine(models.Model):
    plan = models.ForeignKey(SubsidyPlan, on_delete=models.CASCADE, related_name="lines")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    cases = models.PositiveIntegerField(_("办件数"))
    points = models.DecimalField(_("分值"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("补助金额(元)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["plan", "staff__unit__region__code", "staff"]

    def __str__(self) -> str:
        return f"{self.staff} {self.amount}"
