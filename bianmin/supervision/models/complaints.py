"""Complaints and suggestions (投诉, 意见箱) and who read a complainant's contact."""

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
