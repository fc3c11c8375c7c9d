"""Administrators configure warning thresholds and oversight rules here; alerts are read-only."""

from django.contrib import admin

from .models import Alert, ComplaintContactView, DailyJobRun, OversightRule, WarningThreshold


@admin.register(WarningThreshold)
class WarningThresholdAdmin(admin.ModelAdmin):
    list_display = ["item", "days_before", "percent_left"]
    autocomplete_fields: list = []


@admin.register(OversightRule)
class OversightRuleAdmin(admin.ModelAdmin):
    list_display = ["item", "case_state", "clock", "days_over", "action", "is_active"]
    list_filter = ["action", "clock", "is_active"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["raised_on", "level", "clock", "subject", "unit", "due_on", "oversight_ordered"]
    list_filter = ["level", "clock", "oversight_ordered"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ComplaintContactView)
class ComplaintContactViewAdmin(admin.ModelAdmin):
    """Who revealed which complainant's phone: read only, like the case personal-data log."""

    list_display = ["viewed_at", "viewer", "complaint"]
    date_hierarchy = "viewed_at"


@admin.register(DailyJobRun)
class DailyJobRunAdmin(admin.ModelAdmin):
    """What the daily jobs did each day (`bianmin.supervision.daily`); written by the jobs only."""

    list_display = ["day", "job", "started_at", "finished_at", "error"]
    list_filter = ["job"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
