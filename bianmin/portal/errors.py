"""Error pages: Chinese pages that say what to do next for people (templates/403.html, 404.html,
500.html, 403_csrf.html), and JSON for the API, whose clients read `detail` and `code` whatever
went wrong (an unknown /api/ path never reaches the API's own exception handlers)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("请求无效"), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return JsonResponse(
            {"detail": str(exception) or _("无权访问"), "code": "forbidden"}, status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("接口不存在"), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse(
            {"detail": _("服务器内部错误，请稍后重试"), "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
