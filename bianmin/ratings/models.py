"""Ratings (好差评) of concluded cases and the rectification (差评整改) of bad ones."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel


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
