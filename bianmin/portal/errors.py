"""Error pages: Chinese pages that say what to do next for people (templates/403.html, 404.html,
500.html, 403_csrf.html), and JSON for the API, whose clients read `detail` and `code` whatever
went wrong (an unknown /api/ path never reaches the API's own exception handlers)."""

from django.core.exceptions import BadRequest
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from bianmin.common.request_id import current_request_id


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    # A view's BadRequest carries a Chinese sentence meant for the user (an out-of-range month);
    # other 400s (SuspiciousOperation, a refused host) keep their internals to the log and get
    # Django's page rendered without the request, which may be the very thing that is bad.
    message = str(exception) if type(exception) is BadRequest else ""
    if _api(request):
        return JsonResponse({"detail": message or _("请求无效"), "code": "bad_request"}, status=400)
    if not message:
        return defaults.bad_request(request, exception)
    return HttpResponseBadRequest(
        loader.render_to_string("400.html", {"message": message}, request=request)
    )


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
    """The 500 answer carries the request id the log line has, so staff can quote it."""
    request_id = getattr(request, "request_id", None) or current_request_id()
    if _api(request):
        return JsonResponse(
            {
                "detail": _("服务器内部错误，请稍后重试"),
                "code": "server_error",
                "request_id": request_id,
            },
            status=500,
        )
    # Rendered without the request (as Django's own handler does): nothing that could fail again.
    return HttpResponseServerError(
        loader.get_template("500.html").render({"request_id": request_id})
    )
