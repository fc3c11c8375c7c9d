"""The Content Security Policy and the few inline snippets it lets through; `Cache-Control` for
responses that may carry personal data (`NoStoreMiddleware`).

Pages load scripts, styles and images from this server only ('self'); nothing comes from a CDN
(intranet first, see DESIGN.md). A handful of templates still carry inline event handlers, style
attributes or a <style> block. Rather than 'unsafe-inline', which would let any injected markup
run, the policy allows exactly those texts by hash ('unsafe-hashes' covers attributes, CSP Level 3).
`bianmin/tests_security/test_csp.py` renders the pages and fails when an inline snippet appears
that is neither listed here nor carries the request's nonce, so a new one cannot slip through
unnoticed (and one that is removed from its template can be dropped here).

This module is imported by settings.py: it must not import models or anything that needs the app
registry.
"""

import base64
import hashlib

from django.conf import settings
from django.utils.csp import CSP

# Inline event-handler attributes (onclick=, onchange=) by exact text, with where they live.
INLINE_HANDLERS = {
    "window.print();return false;": "cases/documents/_toolbar.html: print link",
    "window.print()": "portal/public/guide_checklist.html, service_card.html: print button",
}

# Inline style="" attributes by exact text.
INLINE_STYLE_ATTRIBUTES = {
    "overflow-x:auto": "staffing/sheet.html: wide attendance table",
}

# <style> blocks by the hash of their rendered text. The screen rendering of printable documents
# (common/document_base.html with for_pdf=False); WeasyPrint reads the same block for PDFs,
# where no CSP applies.
STYLE_BLOCK_HASHES = {
    "sha256-XE11MnXztIbCWwlHPCWFE782iI5Ksez9FV/4+aPf+aI=": "common/document_base.html (screen)",
}


def csp_hash(text: str) -> str:
    """The CSP source expression allowing the inline `text` (sha256, base64)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> dict[str, list[str]]:
    """The SECURE_CSP setting: same origin only, no plugins, no framing, no foreign form targets.

    Images may also be data: URLs, since a delivery receipt shows the drawn signature that way.
    """
    script_hashes = sorted(csp_hash(t) for t in INLINE_HANDLERS)
    style_hashes = sorted(
        [csp_hash(t) for t in INLINE_STYLE_ATTRIBUTES] + [f"'{h}'" for h in STYLE_BLOCK_HASHES]
    )
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.NONCE, CSP.UNSAFE_HASHES, *script_hashes],
        "style-src": [CSP.SELF, CSP.NONCE, CSP.UNSAFE_HASHES, *style_hashes],
        "img-src": [CSP.SELF, "data:"],
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }


# -- caching of personal data --------------------------------------------------------------

# Pages anyone may read and a shared cache may keep: guides, disclosure boards, service cards,
# public statistics, the public home and the static files. They show no applicant's data.
PUBLIC_CACHEABLE_PREFIXES = ("/guides/", "/disclosure/", "/cards/", "/reports/public/", "/static/")
NO_STORE = "no-store, private"


def may_be_cached(request) -> bool:
    """A response may be kept by a browser or proxy only when it answers a GET (or HEAD) for a
    public page from a visitor without a session. Everything else may carry personal data: every
    page a signed-in user sees, every API answer (bearer tokens make no session), the public
    status, complaint, application and appointment lookups, and forms shown again with what was
    typed. The session cookie stands for "signed in or proven to a lookup": reading request.user
    would load the session from the database, which may be the very fault being answered."""
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    path = request.path_info
    return path == "/" or path.startswith(PUBLIC_CACHEABLE_PREFIXES)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response that may carry personal data (等保
    2.0 level 3, residual information protection): a shared computer's browser cache, its back
    button or a proxy must not keep an applicant's ID number or phone. A view that set its own
    Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and not may_be_cached(request):
            response["Cache-Control"] = NO_STORE
        return response


# -- dependency audit (`make audit`) ----------------------------------------------------------


def audit_summary(report: dict) -> tuple[int, str]:
    """Exit status and message for a `pip-audit -f json` report.

    A closed network, or a package index mirror without PyPI's vulnerability data, makes pip-audit
    skip every package and still say "no known vulnerabilities". That is not a clean bill: when
    nothing could be checked the answer is "unreachable" (status 0, so an offline build does not
    fail), and a known vulnerability is status 1.
    """
    deps = report.get("dependencies", [])
    checked = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    if vulnerable:
        lines = [
            f"{d['name']} {d.get('version', '')}: "
            + ", ".join(
                v.get("id", "?") + (f" (fix {v['fix_versions']})" if v.get("fix_versions") else "")
                for v in d["vulns"]
            )
            for d in vulnerable
        ]
        return 1, "known vulnerabilities:\n" + "\n".join(lines)
    if not checked:
        return 0, (
            f"advisory source unreachable: none of {len(deps)} packages could be audited "
            "(no PyPI vulnerability data from this index); run `make audit` where PyPI or OSV is reachable"
        )
    skipped = len(deps) - len(checked)
    return 0, f"no known vulnerabilities in {len(checked)} packages" + (
        f" ({skipped} not audited)" if skipped else ""
    )


def audit_main() -> int:
    """Run pip-audit on the installed environment and print an honest summary."""
    import json
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "pip_audit", "-l", "-f", "json", "--progress-spinner", "off"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"advisory source unreachable: {e}")
        return 0
    try:
        report = json.loads(out.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    if not report and out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["pip-audit failed"])[-1]
        if "pip_audit" in out.stderr and "No module named" in out.stderr:
            print("pip-audit is not installed: pip install -e '.[test]'")
            return 1
        print(f"advisory source unreachable: {last}")
        return 0
    status, message = audit_summary(report)
    print(message)
    return status


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["audit"]:
        sys.exit(audit_main())
    sys.exit("usage: python -m bianmin.common.security audit")
