"""Domain errors on pages: access errors become the 403/404 pages, refusals what the page asks."""

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from bianmin import urls as project_urls
from bianmin.common.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from bianmin.common.refusals import ANY, DomainErrorMiddleware, attempt, on_refusal

RAISED = {
    "forbidden": PermissionDenied("只能查看本单位的办件"),
    "missing": NotFound("未找到该办件"),
    "conflict": Conflict("办件已被他人办理，请刷新", code=ErrorCode.STALE),
}


def _raises(request, what):
    raise RAISED[what]


def _form_again(request, error, **kwargs):
    return HttpResponse(f"{error.field}:{error.message}", status=error.status)


@on_refusal(_form_again)
def _post(request, what):
    if what == "invalid":
        raise ValidationFailed("请填写姓名", field="name")
    raise RAISED[what]


@on_refusal(_form_again, errors=ANY)
def _post_any(request, what):
    raise RAISED[what]


urlpatterns = [
    path("t/raise/<str:what>/", _raises),
    path("t/post/<str:what>/", _post),
    path("t/any/<str:what>/", _post_any),
    *project_urls.urlpatterns,
]


@pytest.fixture
def pages(settings, client):
    settings.ROOT_URLCONF = __name__
    return client


@pytest.mark.django_db
def test_access_errors_become_the_403_and_404_pages_and_others_plain_text(pages):
    forbidden = pages.get("/t/raise/forbidden/")
    assert forbidden.status_code == 403
    assert "只能查看本单位的办件" in forbidden.content.decode()  # the 403 page says why
    assert "无权访问此页面" in forbidden.content.decode()
    missing = pages.get("/t/raise/missing/")
    assert missing.status_code == 404 and "找不到您要的页面" in missing.content.decode()
    conflict = pages.get("/t/raise/conflict/")
    assert conflict.status_code == 409
    assert conflict.content.decode() == "办件已被他人办理，请刷新"
    assert conflict["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.django_db
def test_on_refusal_answers_refusals_and_lets_access_errors_through(pages):
    invalid = pages.post("/t/post/invalid/")
    assert (invalid.status_code, invalid.content.decode()) == (422, "name:请填写姓名")
    assert pages.post("/t/post/conflict/").status_code == 409
    assert pages.post("/t/post/forbidden/").status_code == 403
    assert "无权访问此页面" in pages.post("/t/post/forbidden/").content.decode()
    # A page that shows even a refusal of access in place asks for it.
    assert pages.post("/t/any/forbidden/").content.decode() == "None:只能查看本单位的办件"


def test_attempt_shows_a_refusal_as_a_message_and_lets_access_errors_through():
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)

    def refuse():
        raise Conflict("已处理")

    assert attempt(request, refuse, "已保存") is False
    assert attempt(request, lambda: None, "已保存") is True
    assert [str(m) for m in get_messages(request)] == ["已处理", "已保存"]
    with pytest.raises(PermissionDenied):
        attempt(request, lambda: (_ for _ in ()).throw(PermissionDenied("不可")), "x")


def test_middleware_leaves_other_exceptions_alone():
    mw = DomainErrorMiddleware(lambda r: HttpResponse())
    assert mw.process_exception(RequestFactory().get("/"), ValueError("x")) is None
    assert isinstance(RAISED["conflict"], DomainError)
