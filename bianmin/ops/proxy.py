"""The client's address behind nginx: REMOTE_ADDR from X-Forwarded-For, only from trusted proxies.

Behind a reverse proxy every request comes from the proxy's address, so the login lockout
(django-axes, per username and address) and the public status lookup's throttle (per address)
would count every citizen of the county as one client: one attacker locks everyone out. nginx
appends the real peer to X-Forwarded-For; we take the right-most address that is not one of our
own proxies. A client-supplied X-Forwarded-For is never trusted: the rewrite only happens when
the direct peer is listed in BIANMIN_TRUSTED_PROXIES (setting or environment variable,
comma-separated addresses or CIDR networks; empty = behind no proxy, nothing rewritten).

Goes first in MIDDLEWARE, before anything reads REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings


def _networks(raw: str | list | tuple) -> list:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [ipaddress.ip_network(i.strip(), strict=False) for i in items if i and i.strip()]


def _trusted(addr: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(remote_addr: str, forwarded_for: str, networks) -> str:
    """The right-most X-Forwarded-For hop that is not a trusted proxy (or remote_addr)."""
    if not networks or not _trusted(remote_addr, networks):
        return remote_addr
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # garbage in the header: keep what the socket says
    return remote_addr


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        raw = getattr(settings, "BIANMIN_TRUSTED_PROXIES", None)
        if raw is None:
            raw = os.environ.get("BIANMIN_TRUSTED_PROXIES", "")
        self.networks = _networks(raw)

    def __call__(self, request):
        if self.networks:
            meta = request.META
            meta["REMOTE_ADDR"] = client_address(
                meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), self.networks
            )
        return self.get_response(request)
