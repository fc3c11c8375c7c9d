"""Administrators see the calendar here and enter a year's schedule through one form, which goes
through `services.calendar_year_enter` so dependants are told to recompute."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.errors import DomainError

from . import calendar, services
from .forms import CalendarYearForm, format_days
from .models import CalendarDay, CalendarYear


class ReadOnlyForManagers(admin.ModelAdmin):
    """Visible to calendar managers; never edited row by row, since a bare row edit would skip
    the recompute signal."""

    def has_module_permission(self, request):
        return services.can_manage_calendar(request.user)

    def has_view_permission(self, request, obj=None):
        return services.can_manage_calendar(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyForManagers):
    list_display = (
        "year",
        "source",
        "holiday_count",
        "workday_count",
        "note",
        "entered_by",
        "entered_at",
        "edit_link",
    )
    change_list_template = "admin/workdays/calendaryear/change_list.html"

    def get_queryset(self, request):
        def days(is_workday):
            return Subquery(
                CalendarDay.objects.filter(date__year=OuterRef("year"), is_workday=is_workday)
                .values("date__year")
                .annotate(n=Count("id"))
                .values("n")
            )

        return (
            super()
            .get_queryset(request)
            .select_related("entered_by")
            .annotate(holiday_n=days(False), workday_n=days(True))
        )

    @admin.display(description=gettext_lazy("放假天数"))
    def holiday_count(self, obj):
        return obj.holiday_n or 0

    @admin.display(description=gettext_lazy("调休上班天数"))
    def workday_count(self, obj):
        return obj.workday_n or 0

    @admin.display(description=gettext_lazy("操作"))
    def edit_link(self, obj):
        url = reverse("admin:workdays_calendaryear_enter") + f"?year={obj.year}"
        return format_html('<a href="{}">{}</a>', url, _("重新录入"))

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["enter_url"] = reverse("admin:workdays_calendaryear_enter")
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        return [
            path(
                "enter/",
                self.admin_site.admin_view(self.enter_view),
                name="workdays_calendaryear_enter",
            ),
            *super().get_urls(),
        ]

    def enter_view(self, request):
        """录入年度放假安排: the State Council's notice typed in, checked, then entered at once."""
        if not services.can_manage_calendar(request.user):
            raise DjangoPermissionDenied(_("只有管理员可以录入节假日安排"))
        if request.method == "POST":
            form = CalendarYearForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.calendar_year_enter(
                        actor=request.user,
                        year=data["year"],
                        holidays=data["holidays"],
                        workdays=data["workdays"],
                        note=data["note"],
                        confirmed=data["confirm"],
                    )
                except DomainError as e:
                    field = e.field if e.field in form.fields else None
                    form.add_error(field, e.message)
                else:
                    messages.success(
                        request,
                        _(
                            "%(y)s 年节假日安排已录入：放假 %(h)s 天，调休上班 %(w)s 天。"
                            "暂定期限已安排在后台重新计算，稍后完成。"
                        )
                        % {
                            "y": data["year"],
                            "h": len(data["holidays"]),
                            "w": len(data["workdays"]),
                        },
                    )
                    return redirect("admin:workdays_calendaryear_changelist")
        else:
            form = CalendarYearForm(initial=self._initial(request))
        if "confirm" not in form.errors and form.data.get("confirm") != "on":
            # The confirmation is a second step: asked for only once the days raised a doubt.
            form.fields["confirm"].widget = forms.HiddenInput()
        year = form.data.get("year") or form.initial.get("year")
        existing = CalendarYear.objects.filter(year=year).first() if str(year).isdigit() else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("录入年度放假安排"),
            "form": form,
            "existing": existing,
            "covered_years": calendar.covered_years(),
        }
        return TemplateResponse(request, "admin/workdays/calendaryear/enter.html", context)

    def _initial(self, request) -> dict:
        """Next year by default; `?year=` loads what a year already has, to correct it."""
        raw = request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and len(raw) == 4 else timezone.localdate().year + 1
        initial = {"year": year}
        days = list(
            CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name")
        )
        if days:
            initial["holidays"] = format_days((d, n) for d, w, n in days if not w)
            initial["workdays"] = format_days((d, n) for d, w, n in days if w)
            entry = CalendarYear.objects.filter(year=year).first()
            initial["note"] = entry.note if entry else ""
        return initial


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyForManagers):
    list_display = ("date", "weekday", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]
