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
