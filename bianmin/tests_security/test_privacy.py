"""Personal data: ID numbers masked in lists and exports, every view of a case's personal data
logged (page, API, documents), and secrets only from the environment."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from bianmin.cases.models import PersonalDataView

from .world import AWAY_ID, AWAY_NAME, HOME_ID, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_markers_are_visible_where_allowed(w):
    """The page matrix looks for the away applicant's name and ID number; prove a page that may
    show them does, so their absence elsewhere means something."""
    supervisor = _login(w.c.supervisor.user)
    number = w.case["away"].number
    body = supervisor.get(f"/cases/{number}/").content.decode()
    assert AWAY_NAME in body and AWAY_ID not in body  # even the case page masks the number
    assert AWAY_ID[:6] + "********" + AWAY_ID[-4:] in body
    register = supervisor.get(f"/cases/{number}/documents/register/").content.decode()
    assert AWAY_NAME in register and AWAY_ID not in register  # printouts mask it too
    # The one page that shows a full number: pre-review of an online application.
    app = w.application["away"]
    assert AWAY_ID in supervisor.get(f"/staff/prereview/{app.code}/").content.decode()


def test_lists_mask_id_numbers(w):
    client = _login(w.c.t1_staff.user)
    for url in (
        "/cases/",
        "/cases/queues/",
        "/cases/ledger/",
        "/staff/prereview/",
        "/staff/home-visits/",
    ):
        body = client.get(url).content.decode()
        assert HOME_NAME_OR_NUMBER(w) & set(re.findall(r"[\w-]+", body)), url  # the row is there
        assert HOME_ID not in body, url
        assert HOME_ID[:6] + "********" + HOME_ID[-4:] in body, url


def HOME_NAME_OR_NUMBER(w) -> set[str]:
    return {w.case["home"].number, "王本村"}


def test_ledger_export_masks_id_numbers(w):
    r = _login(w.c.t1_staff.user).get("/cases/ledger/?export=xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert w.case["home"].number in cells
    assert HOME_ID not in " ".join(cells)
    assert HOME_ID[:6] + "********" + HOME_ID[-4:] in cells


def test_other_excel_exports_carry_no_id_numbers(w):
    admin = _login(w.c.admin.user)
    for url in (
        "/reports/monthly/?export=xlsx",
        "/ratings/stats/?export=xlsx",
        f"/staffing/attendance/{w.c.tc1.pk}/2026-09/?export=xlsx",
    ):
        r = admin.get(url)
        if r.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            text = " ".join(
                str(v)
                for ws in load_workbook(io.BytesIO(r.content)).worksheets
                for row in ws.iter_rows(values_only=True)
                for v in row
                if v is not None
            )
            assert HOME_ID not in text and AWAY_ID not in text, url


def _views(case, user, channel):
    return PersonalDataView.objects.filter(case=case, viewer=user, channel=channel).count()


def test_case_page_api_and_documents_log_each_view(w, client):
    case, agent = w.case["home"], w.c.a11.user
    page = _login(agent)
    assert page.get(f"/cases/{case.number}/").status_code == 200
    assert _views(case, agent, "page") == 1
    assert page.get(f"/cases/{case.number}/documents/register/").status_code == 200
    assert _views(case, agent, "page") == 2
    from bianmin.conftest import api_token

    headers = api_token(client, agent.username)
    assert client.get(f"/api/v1/cases/{case.number}", **headers).status_code == 200
    assert _views(case, agent, "api") == 1


def test_refused_views_are_not_logged_as_views_and_show_nothing(w):
    away, agent = w.case["away"], w.c.a11.user
    r = _login(agent).get(f"/cases/{away.number}/")
    assert r.status_code == 403
    assert AWAY_NAME not in r.content.decode()
    assert not PersonalDataView.objects.filter(case=away).exists()


def test_prereview_logs_the_view_of_personal_data(w):
    app, staff = w.application["home"], w.c.t1_staff.user
    client = _login(staff)
    assert not PersonalDataView.objects.filter(case=app.case).exists()
    body = client.get(f"/staff/prereview/{app.code}/").content.decode()
    assert HOME_ID in body  # the pre-review shows the full number, as it must
    assert _views(app.case, staff, "prereview") == 1
    # The uploaded file (an ID card, a certificate) is logged as its own view.
    r = client.get(f"/staff/files/{w.app_file['home'].pk}/")
    assert r.status_code == 200
    assert _views(app.case, staff, "prereview_file") == 1
    # The list shows no full number and so logs nothing.
    assert HOME_ID not in client.get("/staff/prereview/").content.decode()
    assert PersonalDataView.objects.filter(case=app.case).count() == 2


def test_refused_prereview_shows_nothing_and_logs_nothing(w):
    app, agent = w.application["away"], w.c.a11.user
    client = _login(w.c.t1_staff.user)
    for url in (f"/staff/prereview/{app.code}/", f"/staff/files/{w.app_file['away'].pk}/"):
        r = client.get(url)
        assert r.status_code in (403, 404), url
        assert AWAY_ID not in r.content.decode() and AWAY_NAME not in r.content.decode()
    r = _login(agent).get(f"/staff/prereview/{w.application['home'].code}/")
    assert r.status_code in (403, 404)
    cases = [app.case, w.application["home"].case]
    assert not PersonalDataView.objects.filter(case__in=cases).exists()


# -- secrets ---------------------------------------------------------------------------------


SETTINGS_FILE = Path(settings.BASE_DIR) / "bianmin" / "settings.py"


def test_settings_hold_no_literal_secret():
    tree = ast.parse(SETTINGS_FILE.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(n in ("SECRET_KEY", "DATABASES", "EMAIL_HOST_PASSWORD") for n in names):
                literal = isinstance(node.value, ast.Constant) and node.value.value
                assert not literal, f"{names} is a literal in settings.py"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            # No credentials inside a URL (postgres://user:password@host) and no key-like blobs.
            assert not re.search(r"://[^/\s:@]+:[^/\s@]+@", node.value), node.value
            assert not re.fullmatch(r"[A-Za-z0-9_\-+/=!@#$%^&*()]{40,}", node.value), node.value


def test_secret_key_comes_from_the_environment_or_a_private_file(tmp_path):
    import json
    import os
    import subprocess
    import sys

    code = "import json, bianmin.settings as s; print(json.dumps([s.SECRET_KEY, str(s.VAR_DIR)]))"

    def run(env):
        out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
            [sys.executable, "-c", code],
            env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    key, _var = run(
        {"SECRET_KEY": "from-the-environment-" + "x" * 30, "BIANMIN_VAR_DIR": str(tmp_path)}
    )
    assert key == "from-the-environment-" + "x" * 30
    key_file = tmp_path / "secret_key"
    assert not key_file.exists()
    env = {"SECRET_KEY": "", "BIANMIN_VAR_DIR": str(tmp_path)}
    first, _ = run(env)
    again, _ = run(env)
    assert first == again == key_file.read_text().strip() and len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the service account only


# -- the full ID number: the deciding unit while it decides ----------------------------------


MASKED_HOME = HOME_ID[:6] + "********" + HOME_ID[-4:]


def test_full_id_number_only_for_the_deciding_unit_and_each_such_view_logged(w, client):
    from django.contrib.auth import get_user_model

    from bianmin.cases.models import State
    from bianmin.cases.privacy import sees_full_id_number
    from bianmin.conftest import api_token

    case = w.referred["home"]  # accepted at township 1, with the civil affairs bureau to decide
    assert case.current_unit_id == case.deciding_unit_id == w.c.dept_civil.pk
    approver = w.c.civil.user
    body = _login(approver).get(f"/cases/{case.number}/").content.decode()
    assert HOME_ID in body
    answer = client.get(f"/api/v1/cases/{case.number}", **api_token(client, approver.username))
    assert answer.json()["id_number"] == HOME_ID
    assert _views(case, approver, "page_full_id") == _views(case, approver, "api_full_id") == 1
    # The township that passed it on, the supervisor and the administrator see it masked.
    for who in (w.c.t1_staff, w.c.supervisor, w.c.admin):
        user = who.user
        answer = client.get(f"/api/v1/cases/{case.number}", **api_token(client, user.username))
        assert answer.status_code == 200 and answer.json()["id_number"] == MASKED_HOME
        body = _login(user).get(f"/cases/{case.number}/").content.decode()
        assert HOME_ID not in body and MASKED_HOME in body
        assert not PersonalDataView.objects.filter(viewer=user, channel__endswith="_full_id")
    # The agent's own proxy case is decided at the township: the agent sees it masked.
    home = w.case["home"]
    answer = client.get(f"/api/v1/cases/{home.number}", **api_token(client, "v0101-agent"))
    assert answer.json()["id_number"] == MASKED_HOME
    # The admin site masks it too, and opening a case there is a logged view.
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    r = _login(root).get(f"/admin/cases/case/{case.pk}/change/")
    assert r.status_code == 200
    assert HOME_ID not in r.content.decode() and MASKED_HOME in r.content.decode()
    assert _views(case, root, "admin") == 1
    # Once decided and concluded, the deciding unit has no more need of it.
    case.state = State.CONCLUDED
    assert not sees_full_id_number(viewer=approver, case=case)


def test_personal_data_is_never_cached_public_pages_may_be(w, client):
    from bianmin.conftest import api_token

    staff = _login(w.c.t1_staff.user)
    for url in ("/cases/", f"/cases/{w.case['home'].number}/", "/staff/prereview/", "/nowhere/"):
        assert staff.get(url)["Cache-Control"] == "no-store, private", url
    api = client.get("/api/v1/cases", **api_token(client, w.c.t1_staff.user.username))
    assert api["Cache-Control"] == "no-store, private"
    public = Client()
    for url in ("/", "/guides/", "/disclosure/"):
        r = public.get(url)
        assert r.status_code == 200 and not r.has_header("Cache-Control"), url
    # The public lookups: asked for, answered, or refused, nothing is kept.
    for url in ("/status/", "/complaints/lookup/"):
        assert public.get(url)["Cache-Control"] == "no-store, private", url
    r = public.post("/status/", {"number": w.case["home"].number, "phone_tail": "1111"})
    assert r["Cache-Control"] == "no-store, private"
