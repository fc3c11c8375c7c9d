"""The case itself (办件): states, channels and the Case row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import CaseClass
from bianmin.common.models import TimeStampedModel


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    FORWARDED = "forwarded", _("转报中")
    AWAITING_MATERIALS = "awaiting_materials", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    REFERRED = "referred", _("上报中")
    JOINT_REVIEW = "joint_review", _("联审中")
    REVIEWED = "reviewed", _("已审核")
    DECIDED = "decided", _("已决定")
    SUSPENDED = "suspended", _("已中止")
    CONCLUDED = "concluded", _("已办结")
    RETURNING = "returning", _("回交中")
    TO_DELIVER = "to_deliver", _("待送达")
    CLOSED = "closed", _("已送达")
    DECLINED = "declined", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")
    REVOKED = "revoked", _("已撤销")
    # Errands (便民服务) have their own short flow.
    ERRAND_OPEN = "errand_open", _("代办服务中")
    ERRAND_DONE = "errand_done", _("已办妥待交付")
    HANDED_OVER = "handed_over", _("已交付")
    CANCELLED = "cancelled", _("已取消")


# States in which the time limits run (or are paused) and supervision watches the case.
OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.FORWARDED,
        State.AWAITING_MATERIALS,
        State.ACCEPTED,
        State.REFERRED,
        State.JOINT_REVIEW,
        State.REVIEWED,
        State.DECIDED,
        State.SUSPENDED,
    }
)
DELIVERY_STATES = frozenset({State.CONCLUDED, State.RETURNING, State.TO_DELIVER})
FINAL_STATES = frozenset(
    {
        State.CLOSED,
        State.DECLINED,
        State.WITHDRAWN,
        State.TERMINATED,
        State.REVOKED,
        State.HANDED_OVER,
        State.CANCELLED,
    }
)
ERRAND_STATES = frozenset(
    {State.ERRAND_OPEN, State.ERRAND_DONE, State.HANDED_OVER, State.CANCELLED}
)

# An errand is a light case with no catalog item (see `Case.errands`).
ERRAND = "errand"
CASE_CLASSES = [*CaseClass.choices, (ERRAND, _("便民服务"))]


class ErrandKind(models.TextChoices):
    """便民服务: non-approval help a village agent gives (issue 7 item 5)."""

    PAY = "pay", _("代缴（水电费、医保、社保等）")
    COLLECT = "collect", _("代领（养老金、低保金、补贴等）")
    BUY = "buy", _("代购（药品、生活用品等）")
    POST = "post", _("代收代发（邮件、快递）")
    CONTACT = "contact", _("联系服务（维修、殡葬等）")
    OTHER = "other", _("其他便民服务")


class Channel(models.TextChoices):
    PROXY = "proxy", _("村级代办")
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上申报")
    APPOINTMENT = "appointment", _("预约")
    HOME_VISIT = "home_visit", _("上门服务")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("企业")


class ApprovalCaseManager(models.Manager):
    """Approval cases only: what every report, queue, clock and board means by "cases"."""

    def get_queryset(self):
        return super().get_queryset().exclude(case_class=ERRAND)


class ErrandManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(case_class=ERRAND)


class Case(TimeStampedModel):
    """One application (办件), from intake to delivery; forwarded between units, never copied.

    Errands (便民服务) are light cases in the same table, so they share numbers, the transition
    engine, the hash-chained timeline and the audit; they have no catalog item and their own
    states. `Case.objects` leaves them out, so no figure about approval cases counts them by
    accident; `Case.errands` has only them and `Case.all_objects` has both.
    """

    objects = ApprovalCaseManager()
    errands = ErrandManager()
    all_objects = models.Manager()

    number = models.CharField(_("办件编号"), max_length=40, unique=True)
    item_version = models.ForeignKey(
        "catalog.ItemVersion",
        null=True,  # errands only
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("事项"),
    )
    case_class = models.CharField(_("办件类型"), max_length=10, choices=CASE_CLASSES)
    errand_kind = models.CharField(
        _("便民服务类别"), max_length=10, choices=ErrandKind.choices, blank=True
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, db_index=True)
    # Where a paused case returns to (after supplement or resume).
    resume_state = models.CharField(_("恢复后状态"), max_length=20, blank=True)

    applicant_kind = models.CharField(_("申请人类型"), max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    id_number = models.CharField(_("居民身份证号"), max_length=18, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    subject = models.CharField(_("申请事由"), max_length=300, blank=True)

    intake_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("收件单位")
    )
    current_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("当前经办单位")
    )
    deciding_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("决定单位")
    )
    # The unit that formally accepts (受理) on the case's route (`routing.route_for`): the village
    # only for village items, the township for township items and forward-accepted county items,
    # else the county window or the deciding department. Empty only on errands.
    accepting_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受理单位"),
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划")
    )
    # Empty for an online application until a staff member first handles it (首问负责).
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("首问责任人"),
    )
    agent = models.ForeignKey(
        "orgs.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxy_cases",
        verbose_name=_("代办员"),
    )
    entrusted_at = models.DateTimeField(_("委托时间"), null=True, blank=True)
    entrustment_signed = models.BooleanField(_("已签委托书"), default=False)
    entrustment_text = models.TextField(_("委托事项"), blank=True)

    submitted_on = models.DateField(_("收件日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    # The deciding unit's promised and statutory limits run from its own acceptance or its receipt
    # of the accepted case, so relay days never count against it (RULES.md "The route").
    clock_started_on = models.DateField(_("决定单位计时起始日"), null=True, blank=True)
    # The day the current unit got the case (sent to it, or taken in): a relay hop's holding
    # limit runs from here (`routing.relay_holding`).
    held_since = models.DateField(_("当前单位持有起始日"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True)
    proxy_due = models.DateField(_("代办办结日期"), null=True, blank=True)
    delivery_due = models.DateField(_("送达期限"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(_("期限为暂定"), default=False)
    extended_days = models.PositiveSmallIntegerField(_("延长天数"), default=0)
    extension_reason = models.TextField(_("延长理由"), blank=True)

    approved = models.BooleanField(_("准予"), null=True, blank=True)
    reasons = models.TextField(_("理由"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    # Set by `deliver` (State.CLOSED, 已送达): the day the result reached the applicant.
    closed_on = models.DateField(_("送达日期"), null=True, blank=True)
    certificate_number = models.CharField(_("证照编号"), max_length=60, blank=True)

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("锁定人"),
    )
    assigned_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("版本"), default=0)
    # The tail of the hash-chained timeline, written with each event: events deleted from the end
    # leave a chain that is whole by itself, so only this record shows them gone (issue 15).
    last_event_seq = models.PositiveIntegerField(_("最后事件序号"), default=0)
    last_event_hash = models.CharField(_("最后事件哈希"), max_length=64, blank=True)
    # The catalog fee of the item; proxy handling itself is free, so no proxy fee exists.
    fee_total = models.DecimalField(_("收费合计(元)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["state", "promised_due"]),
            # The monthly reports find a month's cases by any of their dates (`reports.figures.
            # _relevant`): one index per date turns the OR of ranges into index searches instead
            # of a scan of the region's whole history. The concluded_on index also answers
            # "still open" (`concluded_on IS NULL`), better than a partial index on open cases.
            models.Index(fields=["submitted_on"], name="case_submitted_on"),
            models.Index(fields=["accepted_on"], name="case_accepted_on"),
            models.Index(fields=["concluded_on"], name="case_concluded_on"),
            # With concluded_on second: the dashboard's live cases and a closed month's settled
            # ones include "not closed, concluded on or after a day", an index range here instead
            # of the 115,000 cases never closed (declined, withdrawn, unfinished) at 1.5 million.
            models.Index(fields=["closed_on", "concluded_on"], name="case_closed_concluded"),
            # Queues, the sweep and the dashboard read the unfinished cases of some units: a few
            # thousand rows next to the closed history. PostgreSQL proves the condition from the
            # query's `state IN (...)`; SQLite cannot with bound parameters and uses the
            # (state, promised_due) index instead.
            models.Index(
                fields=["current_unit", "state", "promised_due"],
                condition=models.Q(state__in=sorted(OPEN_STATES | DELIVERY_STATES)),
                name="case_open_by_unit",
            ),
            # A scoped viewer's unfinished cases (`selectors.open_cases_visible`) are an OR of
            # "region in the subtree" and "routed to one of its units" arms; with (column, state)
            # on every arm SQLite answers it by a multi-index OR (and PostgreSQL by a BitmapOr)
            # instead of testing every unfinished case of the county against the scope (issue 8).
            models.Index(fields=["region", "state"], name="case_region_state"),
            models.Index(fields=["current_unit", "state"], name="case_current_unit_state"),
            models.Index(fields=["deciding_unit", "state"], name="case_deciding_unit_state"),
            models.Index(fields=["intake_unit", "state"], name="case_intake_unit_state"),
        ]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")

    def __str__(self) -> str:
        return self.number

    @property
    def is_proxy(self) -> bool:
        return self.channel == Channel.PROXY and not self.is_errand

    @property
    def is_errand(self) -> bool:
        return self.case_class == ERRAND

    @property
    def promised_limit(self) -> int:
        return self.item_version.promised_limit if self.item_version_id else 0

    @property
    def title(self) -> str:
        """What the case is about: the item's name, or the errand's kind."""
        if self.item_version_id:
            return self.item_version.name
        return str(ErrandKind(self.errand_kind).label) if self.errand_kind else ""
