"""Catalog administration: drafts are edited here, published versions are read-only.

Publishing, new drafts and retirement go through the services; the Excel import/export pages are
for administrators only (审改办 / 政务服务管理办 keep the catalog, DESIGN.md "Who uses it").
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.admin_log import AdminActionLogged
from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.common.forms import GateMixin
from bianmin.common.sheets import xlsx_response
from bianmin.orgs.models import RoleCode

from . import services
from .importexport import RowError, catalog_import, catalog_sheets
from .models import Fee, Item, ItemVersion, Material, StepTemplate


def is_catalog_admin(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.has_role(RoleCode.ADMINISTRATOR)


class AdministratorPermissions:
    """Staff with the administrator role keep the catalog without per-model grants
    (DESIGN.md: 审改办 / 政务服务管理办 keep the catalog); others need Django permissions."""

    def has_module_permission(self, request):
        return is_catalog_admin(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_catalog_admin(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_catalog_admin(request.user) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_catalog_admin(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_catalog_admin(request.user) or super().has_delete_permission(request, obj)


class FrozenInline(AdministratorPermissions, admin.TabularInline):
    """Rows of a version that is no longer a draft cannot be added, changed or removed."""

    extra = 0

    def _editable(self, request, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class MaterialInline(FrozenInline):
    model = Material


class FeeInline(FrozenInline):
    model = Fee


class StepInline(FrozenInline):
    model = StepTemplate


@admin.register(Item)
class ItemAdmin(AdminActionLogged, AdministratorPermissions, admin.ModelAdmin):
    list_display = ("local_code", "published_version", "retired_at")
    list_filter = (("retired_at", admin.EmptyFieldListFilter),)
    search_fields = ("local_code", "versions__name")
    readonly_fields = ("published_version", "retired_at", "retired_by", "retired_reason")
    actions = ["retire"]

    def get_readonly_fields(self, request, obj=None):
        # The local code ties rows in the import workbook to the item: fixed once created.
        return (*self.readonly_fields, "local_code") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retire_permission(self, request):
        return is_catalog_admin(request.user)

    @admin.action(description=gettext_lazy("废止所选事项"), permissions=["retire"])
    def retire(self, request, queryset):
        done = 0
        for item in queryset:
            try:
                services.item_retire(item=item, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{item.local_code}：{exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("已废止 %(n)s 个事项") % {"n": done}, messages.SUCCESS)


class ImportForm(GateMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("目录工作簿（.xlsx）"))
    publish = forms.BooleanField(label=gettext_lazy("导入后立即发布有变化的事项"), required=False)


@admin.register(ItemVersion)
class ItemVersionAdmin(AdminActionLogged, AdministratorPermissions, admin.ModelAdmin):
    change_list_template = "catalog/admin/itemversion_change_list.html"
    list_display = (
        "name",
        "item",
        "number",
        "status",
        "case_class",
        "accept_tier",
        "decide_tier",
        "village_proxy",
        "promised_limit",
        "implementing_unit",
    )
    list_filter = (
        "status",
        "case_class",
        "accept_tier",
        "decide_tier",
        "item_type",
        "village_proxy",
        "online",
        "implementing_unit",
    )
    list_select_related = ("item", "implementing_unit")
    search_fields = (
        "name",
        "basic_code",
        "implementation_code",
        "item__local_code",
        "materials__name",
    )
    raw_id_fields = ("item", "implementing_unit")
    filter_horizontal = ("joint_units",)
    inlines = [MaterialInline, FeeInline, StepInline]
    actions = ["publish", "new_draft"]
    lifecycle_fields = ("number", "status", "published_at", "published_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            # Cases keep the version they were accepted under: it never changes once published.
            return [f.name for f in ItemVersion._meta.fields if f.name != "id"] + ["joint_units"]
        if obj is not None:
            return (*self.lifecycle_fields, "item")
        return self.lifecycle_fields

    def has_delete_permission(self, request, obj=None):
        # An unpublished draft may be thrown away; anything a case could refer to stays.
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Bulk delete could sweep published versions along with drafts.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            number = obj.item.versions.aggregate(n=Max("number"))["n"] or 0
            # A new version starts as a draft (the model's default; status is read-only here).
            obj.number = number + 1
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request):
        return is_catalog_admin(request.user)

    @admin.action(description=gettext_lazy("发布所选草稿"), permissions=["publish"])
    def publish(self, request, queryset):
        done = 0
        for version in queryset.order_by("item__local_code", "number"):
            try:
                services.item_version_publish(version=version, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{version}：{exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("已发布 %(n)s 个版本") % {"n": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("基于所选版本新建草稿"), permissions=["publish"])
    def new_draft(self, request, queryset):
        for item_id in set(queryset.values_list("item_id", flat=True)):
            item = Item.objects.get(pk=item_id)
            draft = services.item_version_revise(item=item, actor=request.user, changes={})
            self.message_user(request, _("已新建草稿：%(v)s") % {"v": draft}, messages.SUCCESS)

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_itemversion_import",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="catalog_itemversion_export",
            ),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "catalog_admin": is_catalog_admin(request.user)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not is_catalog_admin(request.user):
            raise PermissionDenied
        errors: list[RowError] = []
        summary = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = catalog_import(
                    source=form.cleaned_data["file"].read(),
                    actor=request.user,
                    publish=form.cleaned_data["publish"],
                )
            except ValidationFailed as exc:
                summary = exc.message
                errors = [RowError(**e) for e in exc.extra.get("errors", [])]
            else:
                self.message_user(
                    request,
                    _("导入完成：新建版本 %(c)s 个，发布 %(p)s 个，未变化 %(u)s 个")
                    % {
                        "c": len(result.created),
                        "p": len(result.published),
                        "u": len(result.unchanged),
                    },
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:catalog_itemversion_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入事项目录"),
            "form": form,
            "errors": errors,
            "summary": summary,
        }
        status = 422 if errors or summary else 200
        return TemplateResponse(request, "catalog/admin/import.html", context, status=status)

    def export_view(self, request):
        if not is_catalog_admin(request.user):
            raise PermissionDenied
        published_only = request.GET.get("published") == "1"
        stamp = timezone.localdate().strftime("%Y%m%d")
        return xlsx_response(f"catalog-{stamp}.xlsx", catalog_sheets(published_only=published_only))
