"""The case's record for oversight: the hash-chained timeline, supervision flags, personal-data
views, and the credit blacklist that gates 容缺受理."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case


class ChainHash(models.TextChoices):
    """The hash of the timeline chain (setting `BIANMIN_CHAIN_HASH`); SM3 for deployments
    assessed under 密评 GB/T 39786."""

    SHA256 = "sha256", "SHA-256"
    SM3 = "sm3", "SM3 (GB/T 32905)"


class CaseEvent(models.Model):
    """Append-only, hash-chained timeline entry; see `bianmin.cases.chain`."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # Per event, so a chain begun under one algorithm still verifies after the setting changes.
    hash_algorithm = models.CharField(
        _("哈希算法"), max_length=10, choices=ChainHash.choices, default=ChainHash.SHA256
    )

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="cases_event_seq")]
        verbose_name = _("办件日志")
        verbose_name_plural = _("办件日志")

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("case events are append-only")


class FlagKind(models.TextChoices):
    REPEATED_NOTICE = "repeated_notice", _("重复一次性告知")
    DEFERRED_OVERDUE = "deferred_overdue", _("容缺材料逾期未补")
    DEEMED_ACCEPTED = "deemed_accepted", _("逾期未受理未告知(视为受理)")
    NO_REASONS = "no_reasons", _("不予受理/不予批准未说明理由")
    STEP_OVERDUE = "step_overdue", _("环节超时")
    LATE_FORWARD = "late_forward", _("下级转报超时")
    FALSE_PLEDGE = "false_pledge", _("承诺不实")


class SupervisionFlag(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(_("类型"), max_length=20, choices=FlagKind.choices)
    detail = models.TextField(_("详情"))
    # Identifies what the flag is about, so a sweep does not raise the same flag twice.
    key = models.CharField(max_length=80, blank=True)
    raised_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved = models.BooleanField(_("已处理"), default=False)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("监察标记")
        verbose_name_plural = _("监察标记")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"


class PersonalDataView(models.Model):
    """Who looked at which case's personal data, and when."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="data_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(_("查看时间"), auto_now_add=True)
    channel = models.CharField(_("途径"), max_length=20, default="api")

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.case_id} {self.viewed_at}"


class CreditRestriction(models.Model):
    """An applicant on the credit blacklist (失信联合惩戒对象): no 容缺受理 for them (RULES.md
    "Deferred acceptance and pledges"). Kept by administrators; a lifted entry stays on record."""

    id_number = models.CharField(_("居民身份证号"), max_length=18, blank=True, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    reason = models.CharField(_("列入原因"), max_length=300)
    listed_on = models.DateField(_("列入日期"))
    lifted_on = models.DateField(_("移出日期"), null=True, blank=True)

    class Meta:
        ordering = ["-listed_on", "-pk"]
        verbose_name = _("信用惩戒对象")
        verbose_name_plural = _("信用惩戒对象")

    def __str__(self) -> str:
        return self.name
