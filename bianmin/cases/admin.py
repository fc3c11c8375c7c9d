"""Read-mostly admin for cases: nothing here can delete a case or touch its timeline.

The admin is no exception to personal-data rules: a case's page shows the ID number masked and
each opening is logged as a view (channel "admin"); blacklist numbers are normalised as on intake.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bianmin.common.forms import GateMixin
from bianmin.common.validators import mask_id_number, normalize_credit_code, normalize_id_number

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
    # An administrator manages the system, not applications: the number is masked here too.
    exclude = ("id_number",)
    readonly_fields = ("masked_id_number",)

    @admin.display(description=_("居民身份证号"))
    def masked_id_number(self, obj: Case) -> str:
        return mask_id_number(obj.id_number)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        case = self.get_object(request, object_id) if response.status_code == 200 else None
        if case is not None:
            # The page shows the applicant's name, phone and address: a view of personal data.
            PersonalDataView.objects.create(case=case, viewer=request.user, channel="admin")
        return response


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


class CreditRestrictionForm(GateMixin, forms.ModelForm):
    """Numbers in the form intake stores them (full-width digits, lowercase x), or the entry
    would never match a case."""

    identifier_fields = ("id_number", "credit_code")

    class Meta:
        model = CreditRestriction
        fields = ("id_number", "credit_code", "name", "reason", "listed_on", "lifted_on")

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        return normalize_id_number(value) if value.strip() else ""

    def clean_credit_code(self) -> str:
        value = self.cleaned_data.get("credit_code", "")
        return normalize_credit_code(value) if value.strip() else ""


@admin.register(CreditRestriction)
class CreditRestrictionAdmin(NoDeleteAdmin):
    """Administrators keep the credit blacklist; an entry is lifted, never deleted."""

    form = CreditRestrictionForm

    list_display = ("name", "id_number", "credit_code", "listed_on", "lifted_on")
    search_fields = ("name", "id_number", "credit_code")
