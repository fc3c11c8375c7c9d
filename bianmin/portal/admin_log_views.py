"""管理操作日志: the admin action log, read-only, for administrators and supervisors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bianmin.common.admin_log import change_text
from bianmin.common.paging import paginate
from bianmin.orgs.selectors import admin_action_list


@login_required
def admin_log(request):
    page = paginate(request, admin_action_list(viewer=request.user))
    rows = [(a, change_text(a)) for a in page.object_list]
    return render(request, "portal/admin_log.html", {"page": page, "rows": rows})
