"""Settings for the test suite: the production settings with fast hashing, an
in-memory outbox and jobs run at once (tests that need the real queue build
their own)."""

import os

os.environ.setdefault("KINDSTEPS_TESTING", "1")
os.environ.setdefault("KINDSTEPS_VAR_DIR", "/tmp/kindsteps-test-var")

from kindsteps.settings import *  # noqa: F403
from kindsteps.settings import DATABASES, HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
ALLOWED_HOSTS = ["*"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Browser tests serve from a thread; kept-alive connections would block teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Administrators must have a second factor in the suite as in production (the
# owner and outsider fixtures have one), whatever DEBUG says.
MFA_REQUIRED = True
# Each page's own tests see what they change at once; the public pages' cache has its own
# tests, which turn it on (web/tests/test_public_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = 0
