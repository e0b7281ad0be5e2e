"""KindSteps settings. Every deployment-specific value comes from the environment
(README.md, "Configuration"); the defaults are safe for production except where
the demo (`make demo`) switches DEBUG on."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kindsteps.env import (
    admins,
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    s3_options,
    secret_key_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KINDSTEPS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# The stand-in payment gateway (test payments, no money) also without DEBUG: a staging site.
PAYMENT_SANDBOX = env_bool("KINDSTEPS_PAYMENT_SANDBOX", False)
SECRET_KEY = env_str("SECRET_KEY") or secret_key_file(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who the site speaks as in e-mails: the platform and the organisation behind it
# (empty: "the Vietnam Red Cross Society", in the reader's language).
PLATFORM_NAME = env_str("PLATFORM_NAME", "KindSteps")
ORGANISATION_NAME = env_str("ORGANISATION_NAME", "")
# Map tiles for activity routes; the route itself is drawn without them (offline).
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "treebeard",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.mfa",
    "ninja",
    "core",
    "accounts",
    "orgs",
    "campaigns",
    "teams",
    "activities",
    "standings",
    "donations",
    "dashboards",
    "outreach",
    "trackers",
    "results",
    "notifications",
    "web",
    "demo",
]

MIDDLEWARE = [
    # First: it keeps a public page's answer only once every middleware below has set its
    # cookies (core/public_pages.py).
    "core.public_pages.PublicPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.LanguageMiddleware",
    # After the language is known (its 413 is translated), before anything reads a body.
    "core.middleware.RequestSizeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without a second factor go to set one up first (docs/security.md).
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # Turns django-ratelimit's refusal into RATELIMIT_VIEW's 429.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "kindsteps.urls"
WSGI_APPLICATION = "kindsteps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kindsteps.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE makes a
        # writing transaction take the lock up front instead of failing later.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The rank buckets' covering index (INCLUDE) is a PostgreSQL optimisation; SQLite
# builds the same index without the extra column, which is all the demo needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env_str("REDIS_URL")

# The rate limits' counters live in their own cache, so clearing the page cache
# never resets them; both are Redis when it is configured, the process's memory
# otherwise (the demo, the test suite: one process, so still correct).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rl",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit",
        },
    }

# The public pages (the campaign page and its live part, boards, results, rules, teams)
# for visitors without a session: one shared copy per address and language, rebuilt at
# most this often, in seconds (core/public_pages.py, docs/deployment.md); 0 turns it off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 30)

# --- Trackers (Strava, Garmin): off and invisible until configured -------------
STRAVA_CLIENT_ID = env_str("STRAVA_CLIENT_ID")
STRAVA_CLIENT_SECRET = env_str("STRAVA_CLIENT_SECRET")
STRAVA_WEBHOOK_VERIFY_TOKEN = env_str("STRAVA_WEBHOOK_VERIFY_TOKEN")
# Events of another subscription are refused when this is set (the id from
# `manage.py strava_webhook view`).
STRAVA_SUBSCRIPTION_ID = env_str("STRAVA_SUBSCRIPTION_ID")
STRAVA_API_URL = env_str("STRAVA_API_URL", "https://www.strava.com/api/v3")
STRAVA_OAUTH_URL = env_str("STRAVA_OAUTH_URL", "https://www.strava.com/oauth")
# Strava's read limits until its headers tell ours: per 15 minutes, per day.
STRAVA_RATE_LIMITS = (
    env_int("STRAVA_RATE_LIMIT_15MIN", 100),
    env_int("STRAVA_RATE_LIMIT_DAY", 1000),
)
STRAVA_RATE_WINDOW_S = env_int("STRAVA_RATE_WINDOW_S", 900)
STRAVA_RATE_DAY_S = env_int("STRAVA_RATE_DAY_S", 86400)
STRAVA_RATE_MARGIN = env_int("STRAVA_RATE_MARGIN_PERCENT", 5) / 100
# Garmin Connect Developer Program (Activity API), OAuth 2.0 with PKCE; off without the keys.
GARMIN_CLIENT_ID = env_str("GARMIN_CLIENT_ID")
GARMIN_CLIENT_SECRET = env_str("GARMIN_CLIENT_SECRET")
GARMIN_AUTHORIZE_URL = env_str("GARMIN_AUTHORIZE_URL", "https://connect.garmin.com/oauth2Confirm")
GARMIN_TOKEN_URL = env_str(
    "GARMIN_TOKEN_URL", "https://diauth.garmin.com/di-oauth2-service/oauth/token"
)
GARMIN_API_URL = env_str("GARMIN_API_URL", "https://apis.garmin.com")
# Our own guard on calls to Garmin (its partner limits are not public): per minute, per day.
GARMIN_RATE_LIMITS = (
    env_int("GARMIN_RATE_LIMIT_MINUTE", 100),
    env_int("GARMIN_RATE_LIMIT_DAY", 10000),
)
# A Fernet key (Fernet.generate_key()) for tokens at rest; derived from SECRET_KEY when empty.
TRACKERS_TOKEN_KEY = env_str("TRACKERS_TOKEN_KEY")

# --- Background jobs (huey) ---------------------------------------------------
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kindsteps",
        "immediate": HUEY_IMMEDIATE,
        "connection": {"url": REDIS_URL},
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kindsteps",
        "immediate": HUEY_IMMEDIATE,
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# --- Participants' notifications (docs/notifications.md) -----------------------
# E-mails sent a minute (one batch a minute through the queue), how many days before
# its close a campaign's "last days" reminder goes, and on how many of the 7 days
# before yesterday a person must have walked for "yesterday's activity hasn't arrived".
NOTIFICATIONS_EMAILS_PER_MINUTE = env_int("NOTIFICATIONS_EMAILS_PER_MINUTE", 60)
NOTIFICATIONS_LAST_DAYS = env_int("NOTIFICATIONS_LAST_DAYS", 3)
NOTIFICATIONS_SYNC_MIN_DAYS = env_int("NOTIFICATIONS_SYNC_MIN_DAYS", 4)

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PLATFORM_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Consent to the stated purpose at sign-up (accounts/consent.py).
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
# A new Google or Facebook account sees the sign-up form once, for the consent.
SOCIALACCOUNT_AUTO_SIGNUP = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KindSteps"
# A code of the 30 seconds before or after the current ones signs in too (RFC 6238
# allows a step of delay): one typed as the app changes it, or a phone clock a few
# seconds off, is not refused. Each code still signs in once only.
MFA_TOTP_TOLERANCE = 1
# Anyone who can refund, reconcile, see contacts or administer a unit (an admin
# role anywhere, or a superuser) must have TOTP (or WebAuthn, if it is turned on
# in MFA_SUPPORTED_TYPES) before reaching
# any page but the account's own (accounts/middleware.py, docs/security.md). The
# demo (DEBUG) relaxes it so its organiser accounts sign in with a password only;
# production can relax it only by saying so: MFA_REQUIRED=0.
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)

GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("GOOGLE_CLIENT_SECRET")
FACEBOOK_APP_ID = env_str("FACEBOOK_APP_ID")
FACEBOOK_APP_SECRET = env_str("FACEBOOK_APP_SECRET")
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {
    "google": {
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "APPS": (
            [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET}]
            if GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET
            else []
        ),
    },
    "facebook": {
        "METHOD": "oauth2",
        "SCOPE": ["email", "public_profile"],
        "FIELDS": ["id", "email", "name", "first_name", "last_name"],
        "VERSION": "v19.0",
        "APPS": (
            [{"client_id": FACEBOOK_APP_ID, "secret": FACEBOOK_APP_SECRET}]
            if FACEBOOK_APP_ID and FACEBOOK_APP_SECRET
            else []
        ),
    },
}

# --- E-mail -------------------------------------------------------------------
globals().update(email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KindSteps <no-reply@kindsteps.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time --------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kindsteps_language"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Vietnamese digit grouping for django.utils.formats (core/formatting.py formats through it).
FORMAT_MODULE_PATH = ["kindsteps.formats"]

# --- Static and uploaded files -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries are npm packages (package.json), never copied into the tree.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
# A font with every Vietnamese diacritic, for PDFs and images (npm dejavu-fonts-ttf).
FONT_DIR = NODE_MODULES / "dejavu-fonts-ttf" / "ttf"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not env_bool("KINDSTEPS_TESTING", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Abuse limits (docs/security.md) -----------------------------------------
MB = 1024 * 1024
# The largest activity upload (activities.pipeline.MAX_UPLOAD_BYTES, 200 MB) plus the
# multipart envelope: a request announced larger is refused with 413 before a byte of
# it is read. Upload doors read their bodies under the upload limit itself.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 201) * MB
# Form fields and small JSON bodies read through request.body (Django's 2.5 MB; files
# in a form are streamed to disk and do not count). Beyond it: 413, not an error page.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * MB // 2
# Rate limits (django-ratelimit): "count/period", period s, m, h or d, optionally with
# a number ("10/5m"). Keyed by the person when signed in, else by the client's IP;
# the IPNs by the calling IP only. RATE_LIMIT_<NAME> overrides one; RATE_LIMITS_ENABLED=0
# turns them all off.
RATELIMIT_ENABLE = env_bool("RATE_LIMITS_ENABLED", True)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "core.http.too_many_tries"
# Behind a proxy the client's address is in a header the proxy sets (for example
# HTTP_X_REAL_IP); django-ratelimit reads REMOTE_ADDR unless told.
RATELIMIT_IP_META_KEY = env_str("RATE_LIMIT_IP_META_KEY") or None
RATE_LIMITS = {
    name: env_str(f"RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "signup": "10/h",  # new accounts per IP
        "login": "20/10m",  # sign-in attempts per IP (allauth also counts per e-mail)
        "upload": "240/h",  # activity files per person (the page sends one per request)
        "recording": "120/h",  # recorder uploads per person (retries included)
        "donate": "30/h",  # donations started per person or IP
        "complaint": "20/h",  # complaints per person
        "ipn": "600/m",  # gateway callbacks per calling IP: far above any real gateway
    }.items()
}
# Gateways' callback addresses that are never rate limited (comma-separated IPs).
RATE_LIMIT_IPN_TRUSTED_IPS = env_list("RATE_LIMIT_IPN_TRUSTED_IPS", [])

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# === Production: stateless nodes and operations =================================
# Everything the production stack adds (docs/deployment.md, deploy/production.env.example),
# kept in this one block. Each part switches on from the environment and is silent when not.

# Collected static files: whitenoise serves them compressed, the hashed names cached for
# ten years (CompressedManifestStaticFilesStorage above, outside DEBUG and the tests).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(STATIC_ROOT)))

# Originals (activities.StoredFile) and media go through default_storage: the local disk
# (MEDIA_ROOT) by default, an S3-compatible bucket when S3_BUCKET is set, so that every web
# and worker node reads the same files (docs/decisions/0024-stateless-nodes.md).
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options()}

# PostgreSQL: a kept connection is checked before reuse, so a restarted server costs one
# reconnect, not an error. Behind PgBouncer in transaction mode (DATABASE_PGBOUNCER=1),
# server-side cursors cannot span transactions and are turned off.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env_bool("DATABASE_PGBOUNCER", False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# Sessions: rows in the database, read through the shared Redis cache when there is one.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Every request gets an id (X-Request-ID from the proxy, or a new one), sent back in the
# response and written in each log line; LOG_FORMAT=json makes the lines JSON.
MIDDLEWARE.insert(0, "core.observability.RequestIdMiddleware")
# Prometheus metrics (/metrics, core/metrics.py): request counts and latencies per view.
INSTALLED_APPS.append("django_prometheus")
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
# Who may read /metrics: a bearer token, or a request from one of these addresses (the
# reverse proxy refuses /metrics from outside, deploy/nginx/kindsteps.conf).
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# /healthz fails (503) when the queue's oldest job waits longer than this, or when the
# disk holding MEDIA_ROOT and the database has less free space than this.
HEALTHZ_MAX_QUEUE_LAG = env_int("HEALTHZ_MAX_QUEUE_LAG", 300)  # seconds
HEALTHZ_MIN_FREE_DISK = env_int("HEALTHZ_MIN_FREE_DISK", 1024)  # MiB

# Error reports: Django e-mails a server error's traceback to ADMINS ("Name <a@b>, …")
# through EMAIL_URL when it is set.
ADMINS = admins(env_str("ADMINS"))

LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.observability.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id", "require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"handlers": ["console", "mail_admins"], "propagate": False},
        "huey": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
    },
}
