"""Fixtures of the donations tests."""

import pytest


@pytest.fixture
def stand_in(settings):
    """An installation that allows the stand-in gateway (`PAYMENT_SANDBOX`, as
    `KINDSTEPS_PAYMENT_SANDBOX=1` sets it); the tests run with DEBUG off."""
    settings.PAYMENT_SANDBOX = True
    return settings
