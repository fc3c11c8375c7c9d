"""What is recorded while a case is handled: checklist and its electronic copies, notices, custody,
pauses, reviews, steps, delivery."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case


class MaterialStatus(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    MISSING = "missing", _("缺少")
    DEFERRED = "deferred", _("容缺后补")
    PLEDGED = "pledged", _("告知承诺")


class CaseMaterial(models.Model):
    """A row of the case's materials checklist, made from the item version's material list."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("材料")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=MaterialStatus.choices)
    due_on = models.DateField(_("补交期限"), null=True, blank=True)
    commitment = models.TextField(_("承诺内容"), blank=True)
    provided_on = models.DateField(_("提交日期"), null=True, blank=True)
    pledge_checked = models.BooleanField(_("承诺已核查"), default=False)

    class Meta:
        ordering = ["case", "material__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="cases_material_once")
        ]
        verbose_name = _("材料清单")
        verbose_name_plural = _("材料清单")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class OneTimeNotice(models.Model):
    """一次性告知书: every missing material, told once and in writing (行政许可法 art. 32)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    number = models.CharField(_("告知书编号"), max_length=50, unique=True)
    issued_on = models.DateField(_("告知日期"))
    issued_at = models.DateTimeField(_("告知时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey(
        "catalog.ItemVersion", on_delete=models.PROTECT, related_name="+"
    )
    # [{"material": id, "name": str}] as told, kept even if the checklist changes later.
    materials = models.JSONField(_("缺少材料"), default=list)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["case", "issued_at", "pk"]
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")

    def __str__(self) -> str:
        return self.number

    @property
    def material_ids(self) -> set[int]:
        return {m["material"] for m in self.materials}


class Custody(models.Model):
    """One hop of the case between units: who sent it, who received it, when."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="custodies")
    from_unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("发出时间"))
    # Empty when the applicant sent it (an online application arriving at its unit).
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 网上传件: the files travel electronically; paper originals go along only where the item
    # asks for them, and the hop says whether they did.
    originals = models.BooleanField(_("纸质原件随件移交"), default=False)
    note = models.CharField(_("交接说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "sent_at", "pk"]
        # The cases a unit ever held, read from the index alone (no row per hop): intersected
        # with the unfinished cases in `selectors.open_cases_visible` (issue 8).
        indexes = [models.Index(fields=["to_unit", "case"], name="custody_to_unit_case")]
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_unit_id} -> {self.to_unit_id}"


class PauseKind(models.TextChoices):
    NOTICE_WAIT = "notice_wait", _("补正等待")
    SUSPENSION = "suspension", _("中止(特别程序)")


class SuspensionReason(models.TextChoices):
    """行政许可法 art. 45: time that does not count toward the limit."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TEST = "test", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    # A site check (现场核查/踏勘, art. 34) is part of review and counts inside the limit: it is
    # the `site_check` action, never a suspension.


class Pause(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pauses")
    kind = models.CharField(_("类型"), max_length=12, choices=PauseKind.choices)
    reason = models.CharField(
        _("中止原因"), max_length=16, choices=SuspensionReason.choices, blank=True
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    told_days = models.PositiveSmallIntegerField(_("告知所需工作日"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["case", "started_on", "pk"]
        verbose_name = _("计时暂停")
        verbose_name_plural = _("计时暂停")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}-{self.ended_on or ''}"


class SubReview(models.Model):
    """A joint department's parallel review (并联审批) of a joint case."""

    class Opinion(models.TextChoices):
        PENDING = "pending", _("待审")
        APPROVED = "approved", _("同意")
        REFUSED = "refused", _("不同意")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subreviews")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    # The department's verdict; an opinion, not a status (nothing moves it but its answer).
    opinion = models.CharField(
        _("意见"), max_length=10, choices=Opinion.choices, default=Opinion.PENDING
    )
    opinion_text = models.TextField(_("审查意见"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="cases_subreview_once")
        ]
        verbose_name = _("联审意见")
        verbose_name_plural = _("联审意见")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.get_opinion_display()}"


# A case's joint reviews as its page and the API's case read them: with the units and people they
# show and the regions the workflow's check reads (`workflow._acts_for`), once per render.
JOINT_REVIEWS = models.Prefetch(
    "subreviews", queryset=SubReview.objects.select_related("unit__region", "answered_by__staff")
)


class Step(models.Model):
    """A step of the item's step template, timed for this case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("环节"), max_length=50)
    tier = models.CharField(_("层级"), max_length=10)
    limit_days = models.PositiveSmallIntegerField(_("环节时限(工作日)"), default=0)
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    due_on = models.DateField(_("环节期限"), null=True, blank=True)
    finished_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["case", "position"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """The hand-over of the result against the applicant's signature (送达回证)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="delivery")
    delivered_at = models.DateTimeField(_("送达时间"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_by_name = models.CharField(_("签收人"), max_length=100)
    signature = models.FileField(_("签名"), upload_to="cases/signatures/%Y/%m/")
    feedback = models.TextField(_("群众意见"), blank=True)

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")

    def __str__(self) -> str:
        return f"{self.case_id} {self.signed_by_name}"


class FileReview(models.TextChoices):
    PENDING = "pending", _("待审")
    ACCEPTED = "accepted", _("已认可")
    RETURNED = "returned", _("已退回")


class FileSource(models.TextChoices):
    CAMERA = "camera", _("拍照")
    SCANNER = "scanner", _("扫描/上传")


class MaterialFile(models.Model):
    """网上传件: one material's electronic copy (a PDF of its pages: photographed with a phone or
    tablet camera, or scanned), travelling with the case. Never deleted: a returned file stays on
    record beside the one that replaces it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="files")
    material = models.ForeignKey(
        CaseMaterial, on_delete=models.PROTECT, related_name="files", verbose_name=_("材料")
    )
    file = models.FileField(_("文件"), upload_to="cases/materials/%Y/%m/")
    # A small JPEG of the first page, for the checklist's thumbnails.
    thumbnail = models.FileField(_("缩略图"), upload_to="cases/materials/%Y/%m/", blank=True)
    content_type = models.CharField(_("类型"), max_length=40, default="application/pdf")
    pages = models.PositiveSmallIntegerField(_("页数"), default=1)
    size = models.PositiveIntegerField(_("大小(字节)"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=FileSource.choices, default=FileSource.SCANNER
    )
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("上传单位")
    )
    review = models.CharField(
        _("审核"), max_length=10, choices=FileReview.choices, default=FileReview.PENDING
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "material", "uploaded_at", "pk"]
        verbose_name = _("材料电子件")
        verbose_name_plural = _("材料电子件")

    def __str__(self) -> str:
        return f"{self.case_id} {self.material_id} {self.file.name}"
