from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "bianmin.staffing"
    label = "staffing"
    verbose_name = _("站所管理")

    def ready(self) -> None:
        from bianmin.cases.cover import cover_rule_register

        from .services import cover_for

        # The case engine gives new work to the AB backup of a holder on approved leave.
        cover_rule_register(cover_for)
