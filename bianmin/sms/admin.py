"""Administrators edit the message templates; the outbox is read-only (a record of what left)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import SmsMessage, SmsTemplate
from .services import sms_retry


def is_administrator(user) -> bool:
    """A superuser or staff with the administrator role, who keep the templates without
    per-model grants as they keep the catalog. The role is named by its value: this app sits
    below orgs (orgs.RoleCode.ADMINISTRATOR)."""
    if not (user.is_authenticated and user.is_active):
        return False
    staff = getattr(user, "staff", None)
    return user.is_superuser or (staff is not None and staff.has_role("administrator"))


class ForAdministrators(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_administrator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a template is switched off, never removed; the outbox is a record


@admin.register(SmsTemplate)
class SmsTemplateAdmin(ForAdministrators):
    list_display = ["code", "enabled", "text", "provider_template"]
    list_filter = ["enabled"]
    fields = ["code", "text", "provider_template", "enabled"]

    def has_add_permission(self, request):
        return is_administrator(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The code is what the callers ask for: changing it would silence that message.
        return ["code"] if obj is not None else []


@admin.register(SmsMessage)
class SmsMessageAdmin(ForAdministrators):
    list_display = ["created_at", "code", "reference", "phone", "status", "attempts", "sent_at"]
    list_filter = ["status", "code"]
    search_fields = ["reference", "phone"]
    actions = ["retry"]

    @admin.action(description=gettext_lazy("重新发送所选的发送失败短信"))
    def retry(self, request, queryset):
        count = sms_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("已重新排队 %(n)s 条短信") % {"n": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
