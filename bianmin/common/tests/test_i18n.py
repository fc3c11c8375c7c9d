"""The English catalogue is complete and the main pages really render in English."""

import ast
import os
import re
from pathlib import Path

import pytest
from asgiref.local import Local
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]\w*\))?[sdif%]")


def _parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags and the decoded msgid/msgid_plural/msgstr/msgstr[n].

    A small reader so the test needs nothing beyond the project's own dependencies.
    Obsolete (``#~``) entries are skipped, as gettext ignores them.
    """
    entries, cur, key = [], None, None

    def flush():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            cur, key = None, None
            continue
        if cur is None:
            cur = {"flags": set()}
        if line.startswith("#~"):
            cur["obsolete"] = True
            continue
        if line.startswith("#,"):
            cur["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            cur[key] += ast.literal_eval(line)
            continue
        key, _, rest = line.partition(" ")
        cur[key] = ast.literal_eval(rest)
    flush()
    return [e for e in entries if not e.get("obsolete")]


@pytest.fixture(scope="session")
def english_catalogue():
    """Compile the catalogue when the .mo is missing or older than the .po.

    `make test` compiles first; this keeps a direct pytest run honest too.
    """
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        # compilemessages walks the working directory for locale folders; run it
        # from inside the project's locale folder so it never wanders into the venv.
        cwd = os.getcwd()
        os.chdir(LOCALE_DIR)
        try:
            call_command("compilemessages", locale=["en"], verbosity=0)
        finally:
            os.chdir(cwd)
        # Catalogues already loaded in this process would still be the old ones.
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()
    return MO


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = _parse_po(PO)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert len(messages) > 1000  # the catalogue was generated from the whole project

    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert fuzzy == []
    untranslated = []
    for e in messages:
        outs = [v for k, v in e.items() if k.startswith("msgstr")]
        if not outs or any(not v for v in outs):
            untranslated.append(e["msgid"])
    assert untranslated == []


def test_catalogue_keeps_every_placeholder_and_plural_form():
    for e in _parse_po(PO)[1:]:
        if "msgid_plural" in e:
            assert {"msgstr[0]", "msgstr[1]"} <= e.keys(), e["msgid"]
        if "python-format" not in e["flags"]:
            continue
        source = sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"])))
        for key in [k for k in e if k.startswith("msgstr")]:
            assert sorted(PLACEHOLDER.findall(e[key])) == source, (e["msgid"], e[key])


def test_catalogue_is_english_not_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    messages = _parse_po(PO)[1:]
    still_chinese = [
        e["msgid"] for e in messages if han.search(e.get("msgstr", e.get("msgstr[0]", "")))
    ]
    # A handful quote Chinese sheet names or legend symbols (假) on purpose.
    assert len(still_chinese) <= len(messages) // 100, still_chinese


@pytest.mark.django_db
def test_login_page_in_english(client, english_catalogue):
    html = client.get("/accounts/login/", **EN).content.decode()
    assert '<html lang="en">' in html
    assert "Staff login" in html
    assert "Username" in html and "Password" in html
    assert "工作人员登录" not in html

    chinese = client.get("/accounts/login/", **ZH).content.decode()
    assert "工作人员登录" in chinese and "Staff login" not in chinese


@pytest.mark.django_db
def test_public_home_in_english(client, english_catalogue):
    html = client.get("/", **EN).content.decode()
    assert "Find a service guide" in html
    assert "Browse by theme" in html
    assert "Check case progress" in html
    assert "办事指南查询" not in html

    assert "办事指南查询" in client.get("/", **ZH).content.decode()


@pytest.mark.django_db
def test_guide_list_in_english(client, english_catalogue):
    html = client.get("/guides/", **EN).content.decode()
    assert "<h1>Service guides</h1>" in html
    assert "Keywords" in html and "Handling level" in html
    assert "办事指南" not in html


@pytest.mark.django_db
def test_staff_home_in_english(client, county, english_catalogue):
    client.force_login(county.t1_head.user)
    html = client.get("/staff/", **EN).content.decode()
    assert "Workbench" in html
    assert "Hello, 武乡主任" in html  # the name is data, the greeting is translated
    assert "My work queues" in html
    assert "Log out" in html
    assert "您好" not in html and "工作台" not in html

    chinese = client.get("/staff/", **ZH).content.decode()
    assert "您好，武乡主任" in chinese
