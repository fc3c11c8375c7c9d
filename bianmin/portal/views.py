from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bianmin.orgs.models import RoleCode, UnitKind
from bianmin.orgs.scope import scope_for
from bianmin.orgs.selectors import unit_list


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True


@login_required
def staff_home(request):
    staff = getattr(request.user, "staff", None)
    scope = scope_for(request.user)
    units = unit_list(viewer=request.user)
    roles = [RoleCode(r).label for r in (staff.roles if staff else []) if r in RoleCode.values]
    codes = set(staff.roles) if staff else set()
    admin = request.user.is_superuser or RoleCode.ADMINISTRATOR in codes
    can = {
        "intake": admin
        or bool(codes & {RoleCode.AGENT, RoleCode.WINDOW_STAFF, RoleCode.CHIEF_REPRESENTATIVE}),
        "supervise": admin or RoleCode.SUPERVISOR in codes,
        "manage": admin or bool(codes & {RoleCode.HEAD, RoleCode.SUPERVISOR}),
    }
    # Village affairs are kept by the village and its township.
    villages = []
    if scope.kind in ("village", "township"):
        villages = [u.region for u in units if u.kind == UnitKind.VILLAGE_STATION][:40]
    return render(
        request,
        "portal/staff_home.html",
        {
            "staff": staff,
            "scope": scope,
            "roles": roles,
            "unit_count": units.count(),
            "units_sample": units[:12],
            "can": can,
            "villages": villages,
        },
    )


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lockout: JSON for the API, a page for people; 429 either way."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("登录失败次数过多，账号已暂时锁定，请30分钟后再试"), "code": "locked_out"},
            status=429,
        )
    return render(request, "portal/locked_out.html", status=429)
