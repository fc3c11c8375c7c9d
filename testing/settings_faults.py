"""Settings for the fault tests and the HTTP bench: bianmin.settings plus switches from the env.

Never for production. `BIANMIN_FAULT_SQLITE`:
- `readonly`: every connection is read-only (`PRAGMA query_only`), as on a read-only mount;
- `max_pages:N`: the database may not grow past N pages (`PRAGMA max_page_count`), so SQLite
  answers "database or disk is full" exactly as it does when the disk is full.
`BIANMIN_FAST_HASH=1` hashes passwords with MD5 (the test county is built with it, seconds
instead of minutes on a small machine).
"""

import os

from bianmin.settings import *  # noqa: F403
from bianmin.settings import DATABASES, MIDDLEWARE

if os.environ.get("BIANMIN_FAST_HASH", "1") == "1":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if "bianmin.ops.middleware.DatabaseFaultMiddleware" not in MIDDLEWARE:
    MIDDLEWARE = [MIDDLEWARE[0], "bianmin.ops.middleware.DatabaseFaultMiddleware", *MIDDLEWARE[1:]]

_fault = os.environ.get("BIANMIN_FAULT_SQLITE", "")
if _fault and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    _options = DATABASES["default"]["OPTIONS"]
    if _fault == "readonly":
        _options["init_command"] += " PRAGMA query_only=1;"
    elif _fault.startswith("max_pages:"):
        _options["init_command"] += f" PRAGMA max_page_count={int(_fault.split(':', 1)[1])};"
    else:
        raise ValueError(f"BIANMIN_FAULT_SQLITE={_fault!r}: use readonly or max_pages:N")
