"""Regions (statistical division codes), units, staff and their roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel
from bianmin.common.validators import validate_division_code, validate_phone


class RegionLevel(models.TextChoices):
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")


def township_kind(code3: str) -> str:
    """RULES.md: 001-099 街道, 100-199 镇, 200-399 乡, 400-599 farms and other units."""
    n = int(code3)
    if 1 <= n <= 99:
        return "街道"
    if 100 <= n <= 199:
        return "镇"
    if 200 <= n <= 399:
        return "乡"
    if 400 <= n <= 599:
        return "其他"
    raise ValidationError(
        _("乡级代码 %(code)s 不在统计用区划代码范围（001-599）内"), params={"code": code3}
    )


def village_kind(code3: str) -> str:
    """RULES.md: 001-199 居委会 (社区), 200-399 村委会."""
    n = int(code3)
    if 1 <= n <= 199:
        return "社区"
    if 200 <= n <= 399:
        return "村"
    raise ValidationError(
        _("村级代码 %(code)s 不在统计用区划代码范围（001-399）内"), params={"code": code3}
    )


def level_of_code(code: str) -> str:
    validate_division_code(code)
    if code[6:] == "000000":
        return RegionLevel.COUNTY
    if code[9:] == "000":
        return RegionLevel.TOWNSHIP
    return RegionLevel.VILLAGE


class Region(models.Model):
    """A node of the division tree keyed by its 12-digit statistical code."""

    code = models.CharField(
        _("区划代码"), max_length=12, unique=True, validators=[validate_division_code]
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.level = level_of_code(self.code)
        super().save(*args, **kwargs)

    @property
    def county_code(self) -> str:
        return self.code[:6]

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and everything below it."""
        return {"county": self.code[:6], "township": self.code[:9]}.get(self.level, self.code)

    @property
    def kind_label(self) -> str:
        if self.level == RegionLevel.TOWNSHIP:
            return township_kind(self.code[6:9])
        if self.level == RegionLevel.VILLAGE:
            return village_kind(self.code[9:])
        return "县(区)"

    def clean(self) -> None:
        level = level_of_code(self.code)
        parent = self.parent
        if level == RegionLevel.COUNTY:
            if parent is not None:
                raise ValidationError({"parent": _("县级区划不能有上级区划")})
        else:
            if level == RegionLevel.TOWNSHIP:
                township_kind(self.code[6:9])
                expected, want = RegionLevel.COUNTY, self.code[:6]
            else:
                village_kind(self.code[9:])
                expected, want = RegionLevel.TOWNSHIP, self.code[:9]
            if parent is None or parent.level != expected or parent.prefix != want:
                raise ValidationError(
                    {
                        "parent": _("区划 %(code)s 的上级应为代码以 %(want)s 开头的%(level)s")
                        % {"code": self.code, "want": want, "level": RegionLevel(expected).label}
                    }
                )


class UnitKind(models.TextChoices):
    COUNTY_CENTRE = "county_centre", _("县(区)政务服务中心")
    DEPARTMENT = "department", _("部门")
    TOWNSHIP_CENTRE = "township_centre", _("乡镇(街道)便民服务中心")
    VILLAGE_STATION = "village_station", _("村(社区)便民服务站")
    WINDOW = "window", _("窗口")


class WindowType(models.TextChoices):
    RESIDENT = "resident", _("常驻窗口")
    GENERAL = "general", _("综合窗口")
    BRANCH = "branch", _("分中心窗口")


# Which region level each kind of unit sits at.
UNIT_REGION_LEVEL = {
    UnitKind.COUNTY_CENTRE: RegionLevel.COUNTY,
    UnitKind.DEPARTMENT: RegionLevel.COUNTY,
    UnitKind.TOWNSHIP_CENTRE: RegionLevel.TOWNSHIP,
    UnitKind.VILLAGE_STATION: RegionLevel.VILLAGE,
}

# Tier of a unit as the catalog speaks of it (which tier accepts / decides).
UNIT_TIER = {
    UnitKind.COUNTY_CENTRE: "county",
    UnitKind.DEPARTMENT: "county",
    UnitKind.TOWNSHIP_CENTRE: "township",
    UnitKind.VILLAGE_STATION: "village",
}


class Unit(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    window_type = models.CharField(
        _("窗口类型"), max_length=10, choices=WindowType.choices, blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("单位编码"), max_length=40, unique=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region__code", "kind", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> str:
        if self.kind == UnitKind.WINDOW and self.parent_id:
            return UNIT_TIER[self.parent.kind]
        return UNIT_TIER.get(self.kind, "county")

    def clean(self) -> None:
        errors = {}
        if self.kind == UnitKind.WINDOW:
            if not self.window_type:
                errors["window_type"] = _("窗口须指明类型（常驻/综合/分中心）")
            if self.parent is None or self.parent.kind not in (
                UnitKind.COUNTY_CENTRE,
                UnitKind.TOWNSHIP_CENTRE,
            ):
                errors["parent"] = _("窗口必须设在县(区)政务服务中心或乡镇(街道)便民服务中心之下")
            elif self.region_id and self.parent.region_id != self.region_id:
                errors["region"] = _("窗口的区划必须与所属中心一致")
        else:
            if self.window_type:
                errors["window_type"] = _("只有窗口才有窗口类型")
            want = UNIT_REGION_LEVEL.get(self.kind)
            if self.region_id and want and self.region.level != want:
                errors["region"] = _("%(kind)s 应设在%(level)s一级") % {
                    "kind": UnitKind(self.kind).label,
                    "level": RegionLevel(want).label,
                }
            if self.parent is not None:
                ok = {
                    UnitKind.DEPARTMENT: (UnitKind.COUNTY_CENTRE,),
                    UnitKind.TOWNSHIP_CENTRE: (UnitKind.COUNTY_CENTRE,),
                    UnitKind.VILLAGE_STATION: (UnitKind.TOWNSHIP_CENTRE,),
                }.get(self.kind, ())
                if self.parent.kind not in ok:
                    errors["parent"] = _("上级单位类型不符：%(kind)s 不能设在 %(parent)s 之下") % {
                        "kind": UnitKind(self.kind).label,
                        "parent": self.parent,
                    }
                elif self.region_id and not self.region.code.startswith(self.parent.region.prefix):
                    errors["parent"] = _("上级单位的区划 %(p)s 不包含本单位的区划 %(c)s") % {
                        "p": self.parent.region.code,
                        "c": self.region.code,
                    }
        if self.phone:
            try:
                validate_phone(self.phone)
            except ValidationError as e:
                errors["phone"] = e.messages[0]
        if errors:
            raise ValidationError(errors)


class RoleCode(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    AGENT = "agent", _("代办员")
    WINDOW_STAFF = "window_staff", _("窗口人员")
    CHIEF_REPRESENTATIVE = "chief_representative", _("首席代表")
    APPROVER = "approver", _("审批人员")
    HEAD = "head", _("单位负责人")
    SUPERVISOR = "supervisor", _("监察人员")
    ADMINISTRATOR = "administrator", _("管理员")


class Staff(TimeStampedModel):
    """The profile of a Django user who works in (or applies to) the system."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    full_name = models.CharField(_("姓名"), max_length=50)
    roles = models.JSONField(_("角色"), default=list, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[validate_phone])
    title = models.CharField(_("职务"), max_length=50, blank=True)
    photo = models.ImageField(_("照片"), upload_to="staff/", blank=True)
    backup = models.ForeignKey(
        "self",
        verbose_name=_("AB岗备岗人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backup_for",
    )

    class Meta:
        ordering = ["unit__region__code", "full_name"]
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.user.get_username()

    def has_role(self, *codes: str) -> bool:
        return any(c in self.roles for c in codes)

    def clean(self) -> None:
        unknown = [r for r in self.roles if r not in RoleCode.values]
        if unknown:
            raise ValidationError({"roles": _("未知角色：%(r)s") % {"r": ", ".join(unknown)}})
        if self.backup_id and self.backup_id == self.pk:
            raise ValidationError({"backup": _("备岗人不能是本人")})
        if self.backup_id and self.unit_id and self.backup.unit_id != self.unit_id:
            raise ValidationError({"backup": _("备岗人应与本人在同一单位")})
