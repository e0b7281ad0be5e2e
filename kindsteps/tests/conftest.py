"""The production stack's tests (marked ``production``) start gunicorn, huey, nginx and a
local S3 server against PostgreSQL and Redis: they run when asked for, ``-m production``
(CI: .ci/run), not in every ``make test``."""

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "production: starts the production stack (scripts/production) on PostgreSQL and Redis",
    )


def pytest_collection_modifyitems(config, items):
    if "production" in (config.getoption("markexpr") or ""):
        return
    chosen, left = [], []
    for item in items:
        (left if item.get_closest_marker("production") else chosen).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = chosen


@pytest.fixture
def postgres_url(db):
    """The test database as a URL for the stack's processes (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("the production stack runs on PostgreSQL: set DATABASE_URL=postgres://…")
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    return (
        f"postgres://{conf['USER']}{password}@{conf['HOST'] or '127.0.0.1'}:"
        f"{conf['PORT'] or 5432}/{conf['NAME']}"
    )
