"""Training (培训): sessions and who attended."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel


class TrainingAudience(models.TextChoices):
    TOWNSHIP_AND_VILLAGE = "township_village", _("乡镇(街道)和村(社区)工作人员")
    TOWNSHIP = "township", _("乡镇(街道)便民服务中心工作人员")
    VILLAGE = "village", _("村(社区)代办员")


class TrainingSession(TimeStampedModel):
    """A session an organiser held for township and village staff (RULES.md "Training"): the
    county's approval bureau or a county department that delegates items."""

    topic = models.CharField(_("培训主题"), max_length=200)
    organiser = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    date = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    audience = models.CharField(
        _("培训对象"),
        max_length=20,
        choices=TrainingAudience.choices,
        default=TrainingAudience.TOWNSHIP_AND_VILLAGE,
    )
    note = models.TextField(_("内容摘要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(
        "orgs.Staff", through="TrainingAttendance", related_name="trainings"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organiser", "date"])]
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class TrainingAttendance(models.Model):
    """One person signed in at a session, and who recorded it (late sign-in sheets included)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="rows")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["session", "staff__unit__region__code", "staff__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="training_attended_once"),
        ]
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")

    def __str__(self) -> str:
        return f"{self.session} {self.staff}"
