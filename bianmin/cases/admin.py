"""Read-mostly admin for cases: nothing here can delete a case or touch its timeline."""

from django.contrib import admin

from .models import (
    Case,
    CaseEvent,
    CreditRestriction,
    OneTimeNotice,
    PersonalDataView,
    SupervisionFlag,
)


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    # Cases change only through the workflow services, never by editing fields here.
    list_display = ("number", "item_version", "case_class", "channel", "state", "current_unit")
    list_filter = ("state", "case_class", "channel")
    search_fields = ("number", "applicant_name")
    raw_id_fields = ("item_version", "intake_unit", "current_unit", "deciding_unit", "region")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "seq", "action", "from_state", "to_state", "actor_name", "at")
    search_fields = ("case__number",)


@admin.register(OneTimeNotice)
class OneTimeNoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "case", "issued_on", "unit")


@admin.register(SupervisionFlag)
class SupervisionFlagAdmin(NoDeleteAdmin):
    list_display = ("case", "kind", "detail", "raised_at", "resolved")
    list_filter = ("kind", "resolved")
    readonly_fields = ("case", "kind", "detail", "key", "raised_at", "raised_by")


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(ReadOnlyAdmin):
    list_display = ("case", "viewer", "viewed_at", "channel")


@admin.register(CreditRestriction)
class CreditRestrictionAdmin(NoDeleteAdmin):
    """Administrators keep the credit blacklist; an entry is lifted, never deleted."""

    list_display = ("name", "id_number", "credit_code", "listed_on", "lifted_on")
    search_fields = ("name", "id_number", "credit_code")
