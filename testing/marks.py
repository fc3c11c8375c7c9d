"""Marks shared by tests of the tooling under testing/."""

import pytest
from django.conf import settings

# The served app runs on a SQLite file of its own whatever database the suite is on, so on the
# PostgreSQL leg of `make test` these tests would only repeat the SQLite leg's run.
own_sqlite_file = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the served app runs on its own SQLite file; the SQLite leg runs this",
)
