"""Money an agent handles on an errand (便民服务), append-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case


class MoneyDirection(models.TextChoices):
    IN = "in", _("收款")
    OUT = "out", _("付款")


class ErrandMoney(models.Model):
    """Money an agent handled on an errand: received (from the person, or collected for them) or
    paid out (to a payee, or handed to the person). Append-only; a mistake is corrected by an
    entry in the other direction, so the totals per agent always reconcile with the rows."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="money")
    direction = models.CharField(_("方向"), max_length=3, choices=MoneyDirection.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    party = models.CharField(_("对方"), max_length=100)
    receipt_number = models.CharField(_("票据号"), max_length=60, blank=True)
    receipt_photo = models.FileField(_("票据照片"), upload_to="cases/receipts/%Y/%m/", blank=True)
    recorded_on = models.DateField(_("日期"))
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="cases_errand_money_positive"
            )
        ]
        verbose_name = _("便民服务款项")
        verbose_name_plural = _("便民服务款项")

    def __str__(self) -> str:
        return f"{self.case_id} {self.direction} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("errand money entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("errand money entries are append-only")
