"""Keys of what is kept between requests in a cache that several databases may share (the test
databases of parallel workers, a host serving two counties): the database's name comes first."""

import hashlib

from django.db import connection


def cache_key(kind: str, *parts) -> str:
    digest = hashlib.sha256(repr((connection.settings_dict["NAME"], *parts)).encode()).hexdigest()
    return f"{kind}:{digest}"
