from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bianmin.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from bianmin.workdays.signals import calendar_changed

        from .services.sweep import on_calendar_changed

        # Provisional deadlines become final once the year they reach into is entered.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="cases.deadlines_recompute")
