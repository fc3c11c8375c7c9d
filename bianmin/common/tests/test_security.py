"""The CSP built in bianmin.common.security: hashes, keywords, and no stale allowances."""

from pathlib import Path

from django.conf import settings
from django.utils.csp import CSP

from bianmin.common import security


def test_csp_hash_is_the_browser_format():
    # sha256("window.print()") in base64, as Chromium prints it in its CSP error message.
    assert (
        security.csp_hash("window.print()")
        == "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='"
    )


def test_policy_is_same_origin_without_unsafe_inline():
    policy = security.content_security_policy()
    assert policy == settings.SECURE_CSP  # settings use this very policy
    assert policy["default-src"] == [CSP.SELF]
    assert policy["object-src"] == [CSP.NONE] and policy["frame-ancestors"] == [CSP.NONE]
    for directive in ("script-src", "style-src"):
        values = policy[directive]
        assert CSP.UNSAFE_INLINE not in values and CSP.UNSAFE_EVAL not in values
        assert CSP.NONCE in values  # templates may opt into {{ csp_nonce }}
    for text in security.INLINE_HANDLERS:
        assert security.csp_hash(text) in policy["script-src"]
        assert security.csp_hash(text) not in policy["style-src"]


def test_every_allowed_inline_snippet_is_still_in_a_template():
    """An allowance whose template no longer has the snippet is dead weight: drop it."""
    templates = "\n".join(
        p.read_text("utf-8")
        for p in Path(settings.BASE_DIR, "bianmin").rglob("templates/**/*.html")
    )
    for text in security.INLINE_HANDLERS:
        assert f'="{text}"' in templates, text
    for text in security.INLINE_STYLE_ATTRIBUTES:
        assert f'style="{text}"' in templates, text


def test_audit_with_every_package_skipped_is_unreachable_not_clean():
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}
    status, message = security.audit_summary(report)
    assert status == 0 and message.startswith("advisory source unreachable")


def test_audit_reports_a_known_vulnerability_as_failure():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "6.1.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["6.1.1"]}],
            },
            {"name": "segno", "version": "1.6.6", "vulns": []},
            {"name": "local", "skip_reason": "not on PyPI"},
        ]
    }
    status, message = security.audit_summary(report)
    assert status == 1 and "django 6.1.0: PYSEC-1 (fix ['6.1.1'])" in message
    clean = {"dependencies": report["dependencies"][1:]}
    assert security.audit_summary(clean) == (
        0,
        "no known vulnerabilities in 1 packages (1 not audited)",
    )


def test_no_store_unless_a_public_page_for_a_visitor_without_session_or_the_view_chose(rf):
    from django.http import HttpResponse

    plain = security.NoStoreMiddleware(lambda request: HttpResponse())

    def cache_control(request):
        response = plain(request)
        return response["Cache-Control"] if response.has_header("Cache-Control") else None

    assert cache_control(rf.get("/guides/ZR-001/")) is None
    assert cache_control(rf.get("/")) is None
    assert cache_control(rf.post("/guides/ZR-001/ask/")) == "no-store, private"
    assert cache_control(rf.get("/status/HT-1/")) == "no-store, private"
    assert cache_control(rf.get("/api/v1/catalog/items")) == "no-store, private"
    with_session = rf.get("/guides/ZR-001/")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert cache_control(with_session) == "no-store, private"

    def own(request):
        response = HttpResponse()
        response["Cache-Control"] = "max-age=60"
        return response

    assert security.NoStoreMiddleware(own)(rf.get("/cases/"))["Cache-Control"] == "max-age=60"
