"""Typed helpers that read settings from the environment.

Each helper raises ImproperlyConfigured with the variable's name when a value
cannot be parsed, so a typo in a deployment fails at start-up, not at run time.
"""

import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL into Django's EMAIL_* settings.

    Forms: ``console://``, ``locmem://``, ``file:///path/to/dir``,
    ``smtp://user:password@host:587?tls=1`` and ``smtps://…`` (implicit TLS).
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path,
        }
    if scheme in {"smtp", "smtps"}:
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", "").lower() in _TRUE,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not one of console, locmem, file, smtp, smtps"
    )


def secret_key_file(path: Path) -> str:
    """A random key made on first start and kept in ``path`` (readable by the
    owner only), for installations that do not set SECRET_KEY themselves."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def admins(raw: str) -> list[tuple[str, str]]:
    """ADMINS from ``"Name <a@example.org>, b@example.org"``: who gets error reports."""
    people = []
    for item in raw.split(","):
        name, address = parseaddr(item.strip())
        if not address:
            continue
        if "@" not in address:
            raise ImproperlyConfigured(f"ADMINS holds {item.strip()!r}, not an e-mail address")
        people.append((name or address, address))
    return people


def s3_options() -> dict[str, object]:
    """django-storages' S3 backend options from S3_* variables (docs/deployment.md).

    The credentials are boto3's own AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the
    machine's role). Files are private: their URLs are signed and expire, because an
    original holds where a person walked."""
    options: dict[str, object] = {
        "bucket_name": env_str("S3_BUCKET"),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": env_int("S3_URL_EXPIRE", 3600),
    }
    for option, name in (
        ("endpoint_url", "S3_ENDPOINT_URL"),
        ("region_name", "S3_REGION"),
        ("location", "S3_PREFIX"),
    ):
        if value := env_str(name):
            options[option] = value
    return options
