"""Service items (事项) with the fields of the national implementation list, versioned.

An `Item` is the stable identity (our local code); every edit is a new `ItemVersion`; publication is
explicit; a case keeps the version it was accepted under, so a published version is never changed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.errors import Conflict, ErrorCode
from bianmin.common.models import TimeStampedModel


class ItemType(models.TextChoices):
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class ServiceObject(models.TextChoices):
    PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    PUBLIC_INSTITUTION = "3", _("事业法人")
    SOCIAL_ORGANISATION = "4", _("社会组织法人")
    UNINCORPORATED = "5", _("非法人企业")
    AUTHORITY = "6", _("行政机关")
    OTHER = "9", _("其他组织")


class PowerSource(models.TextChoices):
    STATUTORY = "1", _("法定本级行使")
    DELEGATED = "2", _("上级下放")
    AUTHORISED_ABOVE = "3", _("上级授权")
    AUTHORISED_SAME = "4", _("同级授权")
    ENTRUSTED_ABOVE = "5", _("上级委托")
    ENTRUSTED_SAME = "6", _("同级委托")


class CaseClass(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")
    JOINT = "joint", _("联办件")
    ESCALATED = "escalated", _("上报件")
    REPLY = "reply", _("答复件")


class Tier(models.TextChoices):
    VILLAGE = "village", _("村(社区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    COUNTY = "county", _("县(区)")


TIER_ORDER = {Tier.VILLAGE: 0, Tier.TOWNSHIP: 1, Tier.COUNTY: 2}


class LifeEvent(models.TextChoices):
    BIRTH = "birth", _("出生")
    EDUCATION = "education", _("上学")
    EMPLOYMENT = "employment", _("就业")
    MARRIAGE = "marriage", _("婚育")
    HOUSING = "housing", _("建房")
    FARMING = "farming", _("农业生产")
    BUSINESS = "business", _("办企业")
    MEDICAL = "medical", _("就医")
    ASSISTANCE = "assistance", _("社会救助")
    DISABILITY = "disability", _("残疾人服务")
    PENSION = "pension", _("养老")
    HOUSEHOLD = "household", _("户籍")
    CERTIFICATE = "certificate", _("开具证明")
    DEATH = "death", _("身后事")


class Item(TimeStampedModel):
    """The stable identity of a service item across its versions."""

    local_code = models.CharField(_("本地编码"), max_length=40, unique=True)
    published_version = models.OneToOneField(
        "ItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("废止时间"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("废止人"),
    )
    retired_reason = models.CharField(_("废止原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["local_code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")

    def __str__(self) -> str:
        v = self.published_version
        return f"{self.local_code} {v.name if v else ''}"


class ItemVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被替代")
        RETIRED = "retired", _("已废止")

    # The only columns a non-draft version may still change: its own lifecycle.
    LIFECYCLE_FIELDS = frozenset({"status", "published_at", "published_by", "updated_at"})

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="versions", verbose_name=_("事项")
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )

    basic_code = models.CharField(_("基本编码"), max_length=12)
    implementation_code = models.CharField(_("实施编码"), max_length=36)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    service_objects = models.JSONField(_("服务对象"), default=list)
    power_source = models.CharField(_("权力来源"), max_length=1, choices=PowerSource.choices)
    legal_basis = models.TextField(_("设定依据"))
    implementing_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        related_name="implemented_items",
        verbose_name=_("实施主体"),
    )
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    statutory_limit = models.PositiveSmallIntegerField(
        _("法定办结时限(工作日)"), validators=[MaxValueValidator(365)]
    )
    promised_limit = models.PositiveSmallIntegerField(
        _("承诺办结时限(工作日)"), validators=[MaxValueValidator(365)]
    )
    case_class = models.CharField(_("办件类型"), max_length=10, choices=CaseClass.choices)
    joint_units = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="joint_items", verbose_name=_("联办部门")
    )
    # RULES.md "The route of a proxied case": a village accepts only what the village decides; a
    # county item accepted at the township is the county's 受理关口前移 (`forward_acceptance`).
    accept_tier = models.CharField(_("受理层级"), max_length=10, choices=Tier.choices)
    decide_tier = models.CharField(_("办理(决定)层级"), max_length=10, choices=Tier.choices)
    # Where a township sends a county item it does not accept: this window of the county centre
    # (前台综合受理), or, when empty, the deciding department itself.
    county_window = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("县级收件窗口"),
        help_text=_("乡镇转报县级时送往的县政务服务中心窗口；为空则直接送实施部门"),
    )
    village_proxy = models.BooleanField(_("村级可代办"), default=False)
    online = models.BooleanField(_("可网上申报"), default=False)
    pledge_allowed = models.BooleanField(_("可告知承诺"), default=False)
    high_risk = models.BooleanField(_("高风险事项"), default=False)
    life_events = models.JSONField(_("主题(人生事件)"), default=list, blank=True)
    contact_phone = models.CharField(_("咨询电话"), max_length=20, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=20, blank=True)
    location = models.CharField(_("办理地点"), max_length=200, blank=True)
    result_name = models.CharField(_("审批结果名称"), max_length=100, blank=True)
    result_is_certificate = models.BooleanField(_("结果为证照"), default=False)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["item__local_code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_unique")
        ]
        indexes = [
            models.Index(fields=["status", "accept_tier"]),
            models.Index(fields=["basic_code"]),
        ]
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def forward_acceptance(self) -> bool:
        """受理关口前移: the county lets the township accept this county item."""
        return self.decide_tier == Tier.COUNTY and self.accept_tier == Tier.TOWNSHIP

    @property
    def is_free(self) -> bool:
        return all(f.amount == 0 for f in self.fees.all())

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def save(self, *args, **kwargs):
        # Cases keep the version they were accepted under, so once a version has left the draft
        # state its content is frozen; only its lifecycle columns may move. Checked against the
        # stored row, not the instance, so a stale object cannot slip an edit through.
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or set(update_fields) - self.LIFECYCLE_FIELDS):
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored is not None and stored != self.Status.DRAFT:
                raise Conflict(
                    _("已发布或已被替代的事项版本不可修改，请基于它新建版本"),
                    code=ErrorCode.VERSION_FROZEN,
                )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if (
            self.promised_limit is not None
            and self.statutory_limit is not None
            and self.promised_limit > self.statutory_limit
        ):
            errors["promised_limit"] = _("承诺时限不得超过法定时限")
        if self.case_class == CaseClass.IMMEDIATE and self.promised_limit not in (0, None):
            errors["promised_limit"] = _("即办件的承诺时限应为0")
        if (
            self.accept_tier in TIER_ORDER
            and self.decide_tier in TIER_ORDER
            and TIER_ORDER[self.accept_tier] > TIER_ORDER[self.decide_tier]
        ):
            errors["decide_tier"] = _("办理层级不能低于受理层级")
        if self.accept_tier == Tier.VILLAGE and self.decide_tier not in (Tier.VILLAGE, None, ""):
            errors["accept_tier"] = _(
                "村(社区)只受理本村办理的事项；由乡镇或县级决定的事项，村级只收件代办，由乡镇受理"
            )
        if self.county_window_id and self.decide_tier != Tier.COUNTY:
            errors["county_window"] = _("只有县级决定的事项才设县级收件窗口")
        if self.service_objects and any(
            o not in ServiceObject.values for o in self.service_objects
        ):
            errors["service_objects"] = _("服务对象代码无效")
        if self.life_events and any(e not in LifeEvent.values for e in self.life_events):
            errors["life_events"] = _("主题代码无效")
        if self.pledge_allowed and self.high_risk:
            errors["pledge_allowed"] = _("高风险事项不适用告知承诺")
        if len(self.basic_code or "") != 12:
            errors["basic_code"] = _("基本编码应为12位")
        if errors:
            raise ValidationError(errors)


# The county proxy rule: proxy handling (代办) is always free, so no fee may be named after it.
PROXY_FEE_WORDS = ("代办", "代理服务", "跑腿")


def is_proxy_fee_name(name: str) -> bool:
    return any(w in (name or "") for w in PROXY_FEE_WORDS)


class FrozenVersionGuard(models.Model):
    """Materials, fees and steps belong to their version's content and freeze with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        status = ItemVersion.objects.filter(pk=self.version_id).values_list("status", flat=True)
        if status.first() not in (None, ItemVersion.Status.DRAFT):
            raise Conflict(
                _("已发布或已被替代的事项版本不可修改，请基于它新建版本"),
                code=ErrorCode.VERSION_FROZEN,
            )
        super().save(*args, **kwargs)


class Material(FrozenVersionGuard):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    deferrable = models.BooleanField(_("可容缺"), default=False)
    pledgeable = models.BooleanField(_("可告知承诺"), default=False)
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=1)
    source = models.CharField(_("来源渠道"), max_length=100, blank=True)
    template = models.FileField(_("空白表格"), upload_to="catalog/templates/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/", blank=True)
    note = models.CharField(_("填报须知"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name


class Fee(FrozenVersionGuard):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=100)
    amount = models.DecimalField(
        _("收费标准(元)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    standard = models.CharField(_("标准说明"), max_length=200, blank=True)
    legal_basis = models.CharField(_("收费依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("收费")
        verbose_name_plural = _("收费")

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"

    def clean(self) -> None:
        if is_proxy_fee_name(self.name):
            raise ValidationError({"name": _("代办服务一律免费，不得设立代办类收费")})


class StepTemplate(FrozenVersionGuard):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("环节"), max_length=50)
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices)
    limit_days = models.PositiveSmallIntegerField(_("环节时限(工作日)"), default=0)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return self.name
