#!/usr/bin/env python3
"""Dependency audit against the package index's project JSON, for indexes that serve it.

pip-audit's PyPI service asks `<index>/pypi/<name>/<version>/json`. The PyPI mirror on the build
machines (2026-11) answers that with 404, so pip-audit skips every package, and OSV (api.osv.dev)
is not reachable. The same mirror does serve `<index>/pypi/<name>/json`, whose `vulnerabilities`
list (PyPI's, from OSV) is the one for the project's *latest* release. So a package installed at
the latest release can be audited exactly; any other version cannot be from this source and is
reported as not audited, never as clean.

The result goes through the same verdict as `make audit` (`bianmin.common.security.audit_summary`):
exit 1 on a known vulnerability, 0 otherwise, with the count of packages that could not be checked.

Usage: .venv/bin/python scripts/audit-index.py [--index https://pypi.org/pypi] [--only NAME ...]
       (BIANMIN_AUDIT_INDEX sets the index; the certificate bundle follows PIP_CERT.)
"""

import argparse
import json
import os
import re
import ssl
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bianmin.common.security import audit_summary  # noqa: E402

DEFAULT_INDEX = os.environ.get("BIANMIN_AUDIT_INDEX", "https://pypi.org/pypi")
LOCAL = {"bianmin"}  # this project, not on any index


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed(only: set[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = canonical(dist.metadata["Name"] or "")
        if name and name not in LOCAL and (not only or name in only):
            found[name] = dist.version
    return dict(sorted(found.items()))


def _context() -> ssl.SSLContext:
    cafile = os.environ.get("PIP_CERT")
    return ssl.create_default_context(cafile=cafile if cafile and Path(cafile).exists() else None)


def check(index: str, name: str, version: str, ctx: ssl.SSLContext, timeout: float) -> dict:
    """One dependency in pip-audit's JSON shape: vulns, or a skip_reason saying why not."""
    url = f"{index.rstrip('/')}/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=ctx) as r:  # noqa: S310
            data = json.load(r)
    except (urllib.error.URLError, OSError, ValueError) as e:
        return {"name": name, "version": version, "skip_reason": f"{url}: {e}"}
    latest = (data.get("info") or {}).get("version")
    if latest != version:
        return {
            "name": name,
            "version": version,
            "skip_reason": f"index has advisory data for the latest release {latest} only",
        }
    vulns = [
        {
            "id": v.get("id", "?"),
            "fix_versions": v.get("fixed_in") or [],
            "aliases": v.get("aliases") or [],
        }
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]
    return {"name": name, "version": version, "vulns": vulns}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=DEFAULT_INDEX, help="JSON API base (…/pypi)")
    parser.add_argument("--only", nargs="*", help="audit only these installed packages")
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--json", action="store_true", help="print the pip-audit style report")
    args = parser.parse_args(argv)
    deps = installed({canonical(n) for n in args.only} if args.only else None)
    ctx = _context()
    # A handful of connections at a time: polite to the index, and 90 packages still take seconds.
    with ThreadPoolExecutor(max_workers=4) as pool:
        report = {
            "dependencies": list(
                pool.map(
                    lambda kv: check(args.index, kv[0], kv[1], ctx, args.timeout), deps.items()
                )
            )
        }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    status, message = audit_summary(report)
    print(f"index {args.index}: {message}")
    for d in report["dependencies"]:
        if "skip_reason" in d:
            print(f"  not audited: {d['name']} {d['version']} ({d['skip_reason']})")
    return status


if __name__ == "__main__":
    sys.exit(main())
