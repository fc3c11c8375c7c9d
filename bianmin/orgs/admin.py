from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from bianmin.common.admin_log import AdminActionLogged
from bianmin.common.forms import GateMixin

from .models import Region, RoleCode, Staff, Unit

# Accounts and permission groups are changed in the admin too: their changes go to the admin
# action log like every other change of staff.
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class AccountAdmin(AdminActionLogged, UserAdmin):
    pass


@admin.register(Group)
class RoleGroupAdmin(AdminActionLogged, GroupAdmin):
    pass


@admin.register(Region)
class RegionAdmin(AdminActionLogged, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(AdminActionLogged, admin.ModelAdmin):
    list_display = ("name", "kind", "window_type", "region", "parent", "phone", "is_active")
    list_filter = ("kind", "window_type", "is_active")
    search_fields = ("name", "code", "region__code")
    raw_id_fields = ("region", "parent")


class StaffAdminForm(GateMixin, forms.ModelForm):
    identifier_fields = ("phone",)

    # The roles are a JSON list in the database; administrators tick them by name.
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=RoleCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Staff
        fields = ("user", "unit", "full_name", "roles", "phone", "title", "photo", "backup")
        labels = {"user": _("账号")}


@admin.register(Staff)
class StaffAdmin(AdminActionLogged, admin.ModelAdmin):
    form = StaffAdminForm
    list_display = ("full_name", "account", "unit", "role_labels", "phone", "title", "backup")
    search_fields = ("full_name", "user__username", "unit__name", "phone")
    raw_id_fields = ("user", "unit", "backup")

    @admin.display(description=_("账号"), ordering="user__username")
    def account(self, obj: Staff) -> str:
        return obj.user.get_username()

    @admin.display(description=_("角色"))
    def role_labels(self, obj: Staff) -> str:
        return "、".join(str(RoleCode(r).label) for r in obj.roles if r in RoleCode.values)
