import re
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import PASSWORD


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an e-mail that starts with ``path_prefix``."""
    for url in re.findall(r"https?://[^\s\"'<>]+", message.body):
        path = urlparse(url).path
        if path.startswith(path_prefix):
            return path
    raise AssertionError(f"no {path_prefix} link in: {message.body}")


def log_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.fixture
def participant_client(client: Client, participant) -> Client:
    client.force_login(participant)
    return client


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its rate limits (e.g. one verification mail per address every
    3 minutes) in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()
