"""Attendance and leave (考勤/请假), and the queue a person on leave hands over."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import AppendOnly, TimeStampedModel


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


class LeaveEvent(AppendOnly):
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
