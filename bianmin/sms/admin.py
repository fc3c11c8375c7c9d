"""Administrators edit the message templates; the outbox is read-only (a record of what left)."""

from django.contrib import admin

from .models import SmsMessage, SmsTemplate


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "enabled", "text", "provider_template"]
    list_filter = ["enabled"]
    fields = ["code", "text", "provider_template", "enabled"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what the case engine asks for: renaming it would silence that message.
        return ["code"] if obj is not None else []


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "code", "reference", "phone", "status", "attempts", "sent_at"]
    list_filter = ["status", "code"]
    search_fields = ["reference", "phone"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
