"""Ratings (好差评) of concluded cases and the rectification (差评整改) of bad ones."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import AppendOnly, TimeStampedModel

# What the rating pad and the public forms accept as a comment (the column itself is unbounded).
RATING_COMMENT_MAX = 500


class Level(models.IntegerChoices):
    """RULES.md "Ratings": five levels; 2 and 1 are bad ratings."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
GOOD_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED})


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("网上评价")
    ONSITE = "onsite", _("现场评价")


class RatingKind(models.TextChoices):
    INITIAL = "initial", _("评价")
    FOLLOW_UP = "follow_up", _("整改后追评")


# RULES.md "Ratings": indicators differ on site and online.
INDICATORS = {
    RatingChannel.ONSITE: {
        "overall": _("总体评价"),
        "efficiency": _("办事效率"),
        "skill": _("业务水平"),
        "attitude": _("服务态度"),
    },
    RatingChannel.ONLINE: {
        "overall": _("总体评价"),
        "efficiency": _("办事效率"),
        "guide_accuracy": _("办事指南准确性"),
        "convenience": _("办事便捷程度"),
        "ease_of_use": _("平台易用性"),
    },
}


class Rating(TimeStampedModel):
    """One applicant's rating of one case in one channel, or the one follow-up after rectification."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("办件")
    )
    kind = models.CharField(
        _("类别"), max_length=10, choices=RatingKind.choices, default=RatingKind.INITIAL
    )
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    indicators = models.JSONField(_("分项评价"), default=dict, blank=True)
    # A rating is "named" (实名) when the rater proved to be the applicant (phone tail matched or
    # a signed-in applicant); every named bad rating must be called back.
    named = models.BooleanField(_("实名评价"), default=False)
    # Who is rated: the unit that decided the case and the first responder who took it in.
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("被评价单位")
    )
    intake_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("收件单位")
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被评价人员"),
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评价人账号"),
    )
    rated_at = models.DateTimeField(_("评价时间"))
    edited_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    edit_count = models.PositiveSmallIntegerField(_("修改次数"), default=0)
    # The follow-up points at the rating whose rectification it judges.
    follows = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_up",
        verbose_name=_("原评价"),
    )
    # Set when an appeal succeeded: the rating stays on record but counts nowhere.
    removed = models.BooleanField(_("已剔除"), default=False)
    removed_reason = models.TextField(_("剔除理由"), blank=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        # The monthly reports and the statistics read a month of ratings by time.
        indexes = [models.Index(fields=["rated_at"], name="rating_rated_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "channel"],
                condition=Q(kind="initial"),
                name="rating_once_per_case_channel",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
        ]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")

    def __str__(self) -> str:
        return f"{self.case} {self.get_channel_display()} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectState(models.TextChoices):
    OPEN = "open", _("待回访核实")
    VERIFIED = "verified", _("已回访核实")
    RECTIFYING = "rectifying", _("限期整改中")
    RECTIFIED = "rectified", _("已整改")
    EXPLAINED = "explained", _("已解释说明")
    APPEALED = "appealed", _("申诉审核中")
    CLOSED = "closed", _("已办结")
    REMOVED = "removed", _("差评已剔除")
    WITHDRAWN = "withdrawn", _("评价已改为非差评")


RECT_FINAL_STATES = frozenset({RectState.CLOSED, RectState.REMOVED, RectState.WITHDRAWN})


class Outcome(models.TextChoices):
    FIX_NOW = "fix_now", _("立即整改")
    FIX_BY_DEADLINE = "fix_by_deadline", _("限期整改")
    EXPLAIN = "explain", _("解释说明（差评不属实）")


class AppealReason(models.TextChoices):
    MISTAKEN = "mistaken", _("误评")
    MALICIOUS = "malicious", _("恶意差评")


class Rectification(TimeStampedModel):
    """The rectification case (差评整改) a bad rating opens for the responsible unit."""

    number = models.CharField(_("整改编号"), max_length=60, unique=True)
    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("差评")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("办件")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    state = models.CharField(_("状态"), max_length=12, choices=RectState.choices, db_index=True)
    # The state an appeal returns to when it is refused.
    resume_state = models.CharField(_("申诉前状态"), max_length=12, blank=True)
    opened_on = models.DateField(_("生成日期"))
    callback_due = models.DateField(_("回访期限"))
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    called_back_on = models.DateField(_("回访日期"), null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回访人"),
    )
    contacted = models.BooleanField(_("已联系上申请人"), null=True, blank=True)
    findings = models.TextField(_("核实情况"), blank=True)
    outcome = models.CharField(_("处理方式"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("处理日期"), null=True, blank=True)
    measures = models.TextField(_("整改措施/解释内容"), blank=True)
    fix_days = models.PositiveSmallIntegerField(_("整改时限(工作日)"), null=True, blank=True)
    fix_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    appeal_reason = models.CharField(
        _("申诉理由类别"), max_length=10, choices=AppealReason.choices, blank=True
    )
    appeal_text = models.TextField(_("申诉理由"), blank=True)
    appealed_on = models.DateField(_("申诉日期"), null=True, blank=True)
    appeal_upheld = models.BooleanField(_("申诉成立"), null=True, blank=True)
    appeal_decision = models.TextField(_("申诉审核意见"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申诉审核人"),
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return self.number

    @property
    def is_final(self) -> bool:
        return self.state in RECT_FINAL_STATES

    def callback_on_time(self) -> bool | None:
        """True/False once called back; None while the call-back is still pending."""
        if self.called_back_on is None:
            return None
        return self.called_back_on <= self.callback_due


class RectificationEvent(AppendOnly):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="events", verbose_name=_("差评整改")
    )
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")

    def __str__(self) -> str:
        return f"{self.rectification} {self.action}"
