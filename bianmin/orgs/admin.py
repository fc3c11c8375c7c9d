from django.contrib import admin

from .models import Region, Staff, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "window_type", "region", "parent", "phone", "is_active")
    list_filter = ("kind", "window_type", "is_active")
    search_fields = ("name", "code", "region__code")
    raw_id_fields = ("region", "parent")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("full_name", "user", "unit", "roles", "phone", "title", "backup")
    search_fields = ("full_name", "user__username", "unit__name", "phone")
    raw_id_fields = ("user", "unit", "backup")
