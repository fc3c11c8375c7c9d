"""The input gate on pages (issue 15): every form in the project, found by introspection, refuses
over-long text, control characters, out-of-range dates and huge integers naming the field; page
parameters that used to stall or answer 500 answer quickly with a Chinese message; a 500 is
logged with the request id its page shows."""

import importlib
import io
import logging
import re
import time

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from bianmin.common.forms import GateMixin

pytestmark = pytest.mark.django_db

FORM_MODULES = ("forms", "action_forms", "admin")


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class the project defines (after importing each app's form and admin modules)."""
    for config in apps.get_app_configs():
        if not config.name.startswith("bianmin."):
            continue
        for module in FORM_MODULES:
            try:
                importlib.import_module(f"{config.name}.{module}")
            except ModuleNotFoundError as e:
                if e.name != f"{config.name}.{module}":
                    raise
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("bianmin.") and ".tests" not in sub.__module__:
                found.add(sub)
    return sorted(found, key=lambda c: c.__qualname__)


FORMS = project_forms()


def bad_values(field: forms.Field) -> list[tuple[str, str]]:
    """(posted value, what the message must say) that the gate refuses for `field`."""
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput):
        return [("字" * (field.max_length + 1), "最多"), ("王\x00五", "控制字符")]
    if isinstance(field, forms.CharField):
        return [("a\x0bb", "控制字符")]
    if isinstance(field, forms.DateField):
        return [("9999-12-31", "应在"), ("1500-01-01", "应在")]
    if isinstance(field, forms.IntegerField):
        # Past the bound's digits the length is refused before int() runs; else the range.
        return [("9" * 5000, "最多"), (str(2**63), "应在|最多"), ("-" + str(2**40), "应在|最多")]
    return []


def test_the_project_has_forms_and_every_one_is_behind_the_gate():
    assert len(FORMS) >= 7
    assert [f.__qualname__ for f in FORMS if not issubclass(f, GateMixin)] == []


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
def test_every_field_of_every_form_refuses_bad_input_naming_the_field(form_class):
    fields = form_class().fields
    checked = 0
    for name, field in fields.items():
        for value, said in bad_values(field):
            form = form_class(data={name: value})
            assert not form.is_valid()
            assert name in form.errors, (name, value[:20])
            message = " ".join(form.errors[name])
            assert re.search(said, message), (name, message)
            assert str(field.label or name) in message, (name, message)
            checked += 1
    assert checked or not [f for f in fields.values() if bad_values(f)]


def test_a_text_field_without_a_limit_refuses_to_be_built():
    class Unbounded(GateMixin, forms.Form):
        text = forms.CharField()

    with pytest.raises(ImproperlyConfigured, match="max_length"):
        Unbounded()


def test_identifiers_are_normalised_and_long_text_keeps_newlines():
    from bianmin.portal.forms import ApplyForm

    form = ApplyForm(
        {"id_number": "１１０１０５１９４９１２３１００２Ｘ", "subject": " 第一行\r\n第二行\t完 "}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "11010519491231002X"
    assert form.cleaned_data["subject"] == "第一行\n第二行\t完"
    assert not ApplyForm({"applicant_name": "张\n三"}).is_valid()  # one line only


STALLS = [
    "/supervision/?date=9999-12-31",
    "/supervision/?date=1500-01-01",
    "/supervision/?date=1949-10-01",
    "/cases/errands/list/?month=9999-12",
    "/reports/monthly/?month=0000-01",
    "/ratings/stats/?from=0001-01-01&to=9999-12-31",
    "/staffing/training/?year=99999999999999999999",
]
REFUSED = [
    "/staffing/roster/gaps/?month=9999-12",
    "/staffing/attendance/{unit}/9999-12/",
    "/reports/monthly/{unit}/9999-12/",
]


def test_out_of_range_page_parameters_answer_quickly_with_a_chinese_message(county):
    client = Client(raise_request_exception=False)
    client.force_login(county.a11.user)
    client.get("/supervision/")  # the first request of a process loads templates and the calendar
    for url in STALLS:
        started = time.monotonic()
        r = client.get(url)
        assert time.monotonic() - started < 2, url
        assert r.status_code in (200, 422), url  # the page, with the message
        assert re.search(r"应在 \d{4}(-\d\d-\d\d)? 至|最多|格式 YYYY", r.content.decode()), url
    client.force_login(county.supervisor.user)
    for url in REFUSED:
        r = client.get(url.format(unit=county.tc1.pk))
        assert r.status_code == 400, url
        assert "应在 1949-10-01 至" in r.content.decode(), url
    r = client.get("/cases/errands/money.xlsx?month=9999-12")
    assert r.status_code == 400 and "应在" in r.content.decode()


@pytest.fixture
def error_log():
    """What the configured django.request handler (stderr under gunicorn) writes."""
    handler = next(
        h
        for h in logging.getLogger("django.request").handlers
        if h.formatter and "%(request_id)s" in (h.formatter._fmt or "")
    )
    # Swapped by hand: setStream() flushes the old stream, which pytest may have closed already.
    old, handler.stream = handler.stream, io.StringIO()
    yield handler.stream
    handler.stream = old


@override_settings(DEBUG=False)
def test_a_500_is_logged_with_the_request_id_the_page_shows(
    county, monkeypatch, error_log, token_for
):
    def broken(**_kw):
        raise RuntimeError("boom in the dashboard")

    monkeypatch.setattr("bianmin.supervision.selectors.dashboard", broken)
    client = Client(raise_request_exception=False)
    client.force_login(county.supervisor.user)
    r = client.get("/supervision/", HTTP_X_REQUEST_ID="nginx-abc123-req")
    assert r.status_code == 500
    assert r["X-Request-ID"] == "nginx-abc123-req"
    assert "错误编号：" in r.content.decode() and "nginx-abc123-req" in r.content.decode()
    err = error_log.getvalue()
    line = next(x for x in err.splitlines() if "[nginx-abc123-req]" in x)
    assert "ERROR django.request" in line and "GET /supervision/" in line
    assert f"user={county.supervisor.user.pk}" in line
    assert "boom in the dashboard" in err  # the traceback follows the line

    # An id that is not a plain token is replaced; the API's 500 carries the id too.
    r = client.get("/supervision/", HTTP_X_REQUEST_ID="bad id\nINJECTED")
    rid = r["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid) and rid in r.content.decode()
    assert f"[{rid}]" in error_log.getvalue() and "INJECTED" not in error_log.getvalue()

    r = client.get("/api/v1/supervision/dashboard", **token_for("supervisor"))
    assert r.status_code == 500 and r.json()["request_id"] == r["X-Request-ID"]
    assert f"[{r['X-Request-ID']}] GET /api/v1/supervision/dashboard" in error_log.getvalue()


def test_every_answer_has_a_request_id(client):
    first, second = client.get("/"), client.get("/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
