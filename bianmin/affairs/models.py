"""Village affairs: collective assets trusteeship (三资托管), dispute mediation, deliberations (一事一议).

Rules live in `services.py` and `selectors.py`; these models hold data and invariants.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel

# ---------------------------------------------------------------------------------------------
# Collective assets trusteeship (三资托管): held by the township in trust, open to the villagers.


class AssetCategory(models.TextChoices):
    ASSET = "asset", _("资产")
    RESOURCE = "resource", _("资源")


class Asset(TimeStampedModel):
    village = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("类别"), max_length=10, choices=AssetCategory.choices)
    name = models.CharField(_("名称"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("计量单位"), max_length=10)
    value = models.DecimalField(_("价值(元)"), max_digits=14, decimal_places=2, default=0)
    acquired_on = models.DateField(_("取得日期"), null=True, blank=True)
    location = models.CharField(_("坐落"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["village", "category", "name"]
        verbose_name = _("集体资产资源")
        verbose_name_plural = _("集体资产资源")

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class CashEntry(models.Model):
    """One line of a village's cash journal. Never edited: a mistake is reversed by a new line
    that references it and states why."""

    village = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField(_("序号"))
    date = models.DateField(_("日期"))
    direction = models.CharField(_("收支"), max_length=8, choices=Direction.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)
    summary = models.CharField(_("摘要"), max_length=200)
    counterparty = models.CharField(_("对方"), max_length=100, blank=True)
    voucher = models.CharField(_("凭证号"), max_length=40, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("冲销原分录"),
    )
    reason = models.CharField(_("冲销理由"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["village", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["village", "seq"], name="cash_entry_seq_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cash_entry_positive"),
        ]
        verbose_name = _("现金日记账")
        verbose_name_plural = _("现金日记账")

    def __str__(self) -> str:
        return f"{self.village_id} #{self.seq} {self.get_direction_display()} {self.amount}"

    def save(self, *args, **kwargs):
        # The journal is append-only (三资托管: entries are reversed, never edited).
        if not self._state.adding:
            raise ValueError("cash journal entries are never edited; reverse them instead")
        super().save(*args, **kwargs)


class Contract(TimeStampedModel):
    """A lease of collective land or resources, with the payments it makes due."""

    village = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("合同编号"), max_length=40)
    title = models.CharField(_("合同名称"), max_length=200)
    counterparty = models.CharField(_("承包/租赁方"), max_length=100)
    subject = models.CharField(_("标的"), max_length=200)
    area = models.DecimalField(
        _("面积(亩)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    annual_amount = models.DecimalField(_("年租金(元)"), max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["village", "start", "number"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="contract_number_once"),
        ]
        verbose_name = _("合同")
        verbose_name_plural = _("合同")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ContractPayment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    due_on = models.DateField(_("应收日期"))
    amount = models.DecimalField(_("应收金额(元)"), max_digits=14, decimal_places=2)
    entry = models.OneToOneField(
        CashEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contract", "due_on"]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.due_on} {self.amount}"


# ---------------------------------------------------------------------------------------------
# Dispute mediation (confidential to the village and township) and deliberations (一事一议)


class MediationOutcome(models.TextChoices):
    AGREED = "agreed", _("调解成功")
    FAILED = "failed", _("调解不成")
    REFERRED = "referred", _("移交处理")


class Mediation(TimeStampedModel):
    village = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    parties = models.TextField(_("当事人"))
    matter = models.TextField(_("纠纷事项"))
    mediator = models.CharField(_("调解人"), max_length=100)
    mediated_on = models.DateField(_("调解日期"))
    outcome = models.CharField(_("结果"), max_length=10, choices=MediationOutcome.choices)
    agreement = models.TextField(_("协议内容"), blank=True)
    follow_up = models.TextField(_("回访情况"), blank=True)
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-mediated_on", "-pk"]
        verbose_name = _("纠纷调解")
        verbose_name_plural = _("纠纷调解")

    def __str__(self) -> str:
        return f"{self.mediated_on} {self.matter[:20]}"


class MeetingKind(models.TextChoices):
    VILLAGERS = "villagers", _("村民会议")
    REPRESENTATIVES = "representatives", _("村民代表会议")


class Deliberation(TimeStampedModel):
    village = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    matter = models.TextField(_("议事事项"))
    meeting_kind = models.CharField(_("会议形式"), max_length=16, choices=MeetingKind.choices)
    meeting_on = models.DateField(_("会议日期"))
    eligible = models.PositiveIntegerField(_("应到人数"))
    attended = models.PositiveIntegerField(_("实到人数"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    abstained = models.PositiveIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))
    decision = models.TextField(_("决议内容"))
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-meeting_on", "-pk"]
        verbose_name = _("一事一议")
        verbose_name_plural = _("一事一议")

    def __str__(self) -> str:
        return f"{self.meeting_on} {self.matter[:20]}"
