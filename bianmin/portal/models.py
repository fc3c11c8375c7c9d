"""What the public side keeps: online applications and their drafts, appointments, home-visit
requests, status-lookup throttles and consultation questions.

Cases themselves belong to `bianmin.cases`; an online application becomes a case only when staff
pre-review it (the case engine registers a case in a staff member's name, the first responder).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import AppendOnly, TimeStampedModel


class ApplicationDraft(TimeStampedModel):
    """What a person has typed into the online form so far, saved as they type (htmx autosave).

    Keyed by a random token kept in the session, so nothing typed is lost on an error or a reload;
    no account is needed to apply.
    """

    token = models.CharField(max_length=43, unique=True)
    item_version = models.ForeignKey(
        "catalog.ItemVersion", on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("申报草稿")
        verbose_name_plural = _("申报草稿")


class Application(TimeStampedModel):
    """An online application (网上申报) waiting for, or past, staff pre-review (预审)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待预审")
        NOTICED = "noticed", _("待补正")
        SUPPLEMENTED = "supplemented", _("已补正待确认")
        ACCEPTED = "accepted", _("已受理")

    code = models.CharField(_("申报查询码"), max_length=20, unique=True)
    item_version = models.ForeignKey(
        "catalog.ItemVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("受理单位")
    )
    region = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在村(社区)"),
    )
    status = models.CharField(
        _("状态"), max_length=15, choices=Status.choices, default=Status.SUBMITTED
    )
    applicant_kind = models.CharField(_("申请人类型"), max_length=10)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    id_number = models.CharField(_("居民身份证号"), max_length=18, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    subject = models.CharField(_("申请事由"), max_length=300, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
        verbose_name=_("办件"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("预审人"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "status"])]
        verbose_name = _("网上申报")
        verbose_name_plural = _("网上申报")

    def __str__(self) -> str:
        return self.code


class ApplicationFile(TimeStampedModel):
    """An uploaded material: checked by its content (PDF/JPEG/PNG magic bytes) before storing."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="files")
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("材料")
    )
    file = models.FileField(_("文件"), upload_to="portal/applications/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小(字节)"))
    is_supplement = models.BooleanField(_("补正材料"), default=False)

    class Meta:
        ordering = ["application", "material__position", "pk"]
        verbose_name = _("申报材料文件")
        verbose_name_plural = _("申报材料文件")

    def __str__(self) -> str:
        return self.original_name


class HalfDay(models.TextChoices):
    MORNING = "am", _("上午")
    AFTERNOON = "pm", _("下午")


class AppointmentCapacity(models.Model):
    """How many appointments a unit takes per half-day (its windows or its station's agent)."""

    unit = models.OneToOneField(
        "orgs.Unit", on_delete=models.CASCADE, related_name="appointment_capacity"
    )
    morning = models.PositiveSmallIntegerField(_("上午可预约数"), default=4)
    afternoon = models.PositiveSmallIntegerField(_("下午可预约数"), default=4)

    class Meta:
        verbose_name = _("预约容量")
        verbose_name_plural = _("预约容量")

    def __str__(self) -> str:
        return f"{self.unit} {self.morning}/{self.afternoon}"

    def for_half(self, half: str) -> int:
        return self.morning if half == HalfDay.MORNING else self.afternoon


class Appointment(TimeStampedModel):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")

    code = models.CharField(_("预约码"), max_length=12, unique=True)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("办理地点")
    )
    item_version = models.ForeignKey(
        "catalog.ItemVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("事项"),
    )
    day = models.DateField(_("日期"))
    half = models.CharField(_("时段"), max_length=2, choices=HalfDay.choices)
    # The seat within the half-day; with the partial unique constraint below it makes an
    # overbooking impossible even when two people press the button at the same moment.
    slot = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )

    class Meta:
        ordering = ["day", "half", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "half", "slot"],
                condition=Q(status="booked"),
                name="portal_appointment_seat_once",
            ),
            models.UniqueConstraint(
                fields=["unit", "day", "half", "phone"],
                condition=Q(status="booked"),
                name="portal_appointment_person_once",
            ),
        ]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")

    def __str__(self) -> str:
        return self.code


class HomeVisitRequest(TimeStampedModel):
    """上门服务: a request from a person who cannot come to the station, for the village agent."""

    class Reason(models.TextChoices):
        ELDERLY = "elderly", _("老年人")
        DISABLED = "disabled", _("残疾人")
        PREGNANT = "pregnant", _("孕产妇")

    class Status(models.TextChoices):
        OPEN = "open", _("待上门")
        REGISTERED = "registered", _("已登记代办")

    code = models.CharField(_("查询码"), max_length=12, unique=True)
    station = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村(社区)便民服务站"),
    )
    item_version = models.ForeignKey(
        "catalog.ItemVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    reason = models.CharField(_("上门原因"), max_length=10, choices=Reason.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("居民身份证号"), max_length=18)
    phone = models.CharField(_("手机号"), max_length=20)
    address = models.CharField(_("上门地址"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visit",
        verbose_name=_("办件"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("上门服务申请")
        verbose_name_plural = _("上门服务申请")

    def __str__(self) -> str:
        return self.code


class StatusEvent(AppendOnly):
    """Append-only log of the status changes of online applications, appointments and home-visit
    requests, written by the workflow engine (`portal.workflow`). A cancelled appointment left
    no other trace; an application's and a home visit's steps also show on their case."""

    kind = models.CharField(_("对象"), max_length=20)  # the machine: application, appointment ...
    code = models.CharField(_("编号"), max_length=20, db_index=True)  # the record's own code
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=15)
    to_state = models.CharField(_("新状态"), max_length=15)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("状态记录")
        verbose_name_plural = _("状态记录")

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.action}"


class Question(TimeStampedModel):
    """A consultation question (咨询) about an item, answered by the item's implementing unit."""

    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("答复单位")
    )
    question = models.TextField(_("问题"))
    asker_name = models.CharField(_("称呼"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    public_allowed = models.BooleanField(_("同意公开"), default=False)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")

    def __str__(self) -> str:
        return self.question[:30]
