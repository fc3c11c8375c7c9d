"""The replicated-PostgreSQL tests (marker `ha`) run only inside scripts/with-ha-postgres.sh
(`make test-ha`), which sets BIANMIN_HA_DIR; elsewhere they are skipped."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("BIANMIN_HA_DIR"):
        return
    skip = pytest.mark.skip(reason="needs the replicated PostgreSQL set: make test-ha")
    for item in items:
        if item.get_closest_marker("ha"):
            item.add_marker(skip)
