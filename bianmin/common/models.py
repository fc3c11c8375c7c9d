from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted (event logs)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("append-only record cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("append-only record cannot be deleted")


class AdminActionKind(models.TextChoices):
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    PUBLISH = "publish", _("发布")
    RETIRE = "retire", _("废止")
    IMPORT = "import", _("导入")
    PASSWORD = "password", _("修改密码")


class AdminAction(models.Model):
    """One change to staff, accounts, roles, the catalog or the calendar (等保 2.0 security
    audit), whether made in the Django admin, on our pages, by a command or through the API.
    Written only by `bianmin.common.admin_log.admin_action_record`; never edited."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as written: the account may later be renamed or removed.
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=AdminActionKind.choices)
    # The model's label ("orgs.staff"), not a ContentType key: a log row must outlive the model
    # and never depend on a cached content-type id.
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # The Django admin's change-message structure ([{"changed": {"fields": [...]}}, ...]), so
    # rows from the admin and from our services read the same way.
    changes = models.JSONField(_("变更"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("管理操作日志")
        verbose_name_plural = _("管理操作日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    @property
    def object_kind(self) -> str:
        try:
            model = apps.get_model(self.object_type) if self.object_type else None
        except LookupError:
            return self.object_type
        return str(model._meta.verbose_name) if model else ""


class LookupThrottle(models.Model):
    """Failed public lookups per key (an address or a hashed number) in the current window
    (`bianmin.common.throttle`); `blocked_until` is set only for an address that floods.

    Kept in the database, not in a process-local cache, so every app process behind the proxy
    counts the same guesses.
    """

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Moved from the portal app with its table (the ratings follow-up lookup counts here too).
        db_table = "portal_lookupthrottle"
        verbose_name = _("查询限流")
        verbose_name_plural = _("查询限流")

    def __str__(self) -> str:
        return f"{self.key} {self.failures}"
