"""Find inline code in a rendered page that its Content-Security-Policy header would block."""

import re
from html.parser import HTMLParser

from bianmin.common.security import csp_hash


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.handlers: list[str] = []  # on*="..." texts
        self.style_attrs: list[str] = []
        self.blocks: list[tuple[str, str | None, str]] = []  # (tag, nonce, text)
        self._open: tuple[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") and value is not None:
                self.handlers.append(value)
            if name == "style" and value is not None:
                self.style_attrs.append(value)
        if tag == "style" or (
            tag == "script" and "src" not in a and a.get("type") != "application/json"
        ):
            self._open, self._text = (tag, a.get("nonce")), []

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            self.blocks.append((tag, self._open[1], "".join(self._text)))
            self._open = None


def violations(html: str, header: str) -> list[str]:
    """Inline handlers, style attributes, <script> and <style> blocks the policy does not allow."""
    policy = directives(header)
    scripts, styles = policy.get("script-src", []), policy.get("style-src", [])
    nonce = next((v[7:-1] for v in scripts + styles if v.startswith("'nonce-")), None)
    scan = _Scan()
    scan.feed(html)
    bad = []
    hashes_ok = "'unsafe-hashes'"
    for text in scan.handlers:
        if not (hashes_ok in scripts and csp_hash(text) in scripts):
            bad.append(f"event handler {text!r}")
    for text in scan.style_attrs:
        if not (hashes_ok in styles and csp_hash(text) in styles):
            bad.append(f"style attribute {text!r}")
    for tag, block_nonce, text in scan.blocks:
        allowed = scripts if tag == "script" else styles
        if block_nonce and block_nonce == nonce:
            continue
        if csp_hash(text) not in allowed:
            bad.append(f"<{tag}> block {re.sub(r'\\s+', ' ', text)[:60]!r}")
    return bad
