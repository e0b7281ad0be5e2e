"""Tokens at rest: Fernet (AES-128-CBC with HMAC-SHA256) under TRACKERS_TOKEN_KEY, or,
when that is not set, a key derived from SECRET_KEY (changing SECRET_KEY then asks
every participant to connect again, which the connections page says)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.TRACKERS_TOKEN_KEY
    if not key:
        digest = hashlib.sha256(b"kindsteps.trackers.tokens:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def unseal(value: str) -> str:
    """The token in clear, or "" when it cannot be read (the key changed)."""
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""
