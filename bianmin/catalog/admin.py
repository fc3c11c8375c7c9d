from django.contrib import admin

from .models import Fee, Item, ItemVersion, Material, StepTemplate


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class StepInline(admin.TabularInline):
    model = StepTemplate
    extra = 0


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("local_code", "published_version")
    search_fields = ("local_code", "versions__name")
    raw_id_fields = ("published_version",)


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "item",
        "number",
        "status",
        "case_class",
        "accept_tier",
        "decide_tier",
        "promised_limit",
    )
    list_filter = (
        "status",
        "case_class",
        "accept_tier",
        "decide_tier",
        "item_type",
        "village_proxy",
        "online",
    )
    search_fields = ("name", "basic_code", "implementation_code", "item__local_code")
    raw_id_fields = ("item", "implementing_unit")
    filter_horizontal = ("joint_units",)
    inlines = [MaterialInline, FeeInline, StepInline]
