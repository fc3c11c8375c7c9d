from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.orgs.models import RoleCode
from bianmin.orgs.scope import scope_for
from bianmin.orgs.selectors import unit_list

from .menu import staff_menu, village_menu
from .workbench import workbench


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


def landing_url(user) -> str:
    """A supervisor's day starts at the supervision dashboard (its yellow and red counts link
    to the cases they count); everyone else starts at the workbench."""
    staff = getattr(user, "staff", None)
    if staff is not None and RoleCode.SUPERVISOR in staff.roles:
        return reverse("supervision:dashboard")
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
def staff_home(request):
    staff = getattr(request.user, "staff", None)
    scope = scope_for(request.user)
    units = unit_list(viewer=request.user)
    roles = [RoleCode(r).label for r in (staff.roles if staff else []) if r in RoleCode.values]
    return render(
        request,
        "portal/staff_home.html",
        {
            "staff": staff,
            "scope": scope,
            "roles": roles,
            "unit_count": units.count(),
            "units_sample": units[:12],
            "workbench": workbench(request.user, scope),
            "menu": staff_menu(request.user, scope),
            "villages": village_menu(request.user, units, scope),
        },
    )


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lockout: JSON for the API, a page for people; 429 with `Retry-After` (the
    cool-off, in seconds) either way."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("登录失败次数过多，账号已暂时锁定，请30分钟后再试"), "code": "locked_out"},
            status=429,
        )
    else:
        response = render(request, "portal/locked_out.html", status=429)
    cool_off = get_cool_off(request)
    response["Retry-After"] = str(int(cool_off.total_seconds()) if cool_off else 60)
    return response
