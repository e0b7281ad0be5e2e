"""The campaign pages' tests share the campaigns' fixtures (campaigns in each
status, the English-reading client)."""

from campaigns.tests.conftest import (  # noqa: F401 (fixtures)
    english,
    open_campaign,
    plan_campaign,
    private_campaign,
    upcoming_campaign,
)
