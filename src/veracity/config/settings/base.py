"""Settings shared by every environment; everything secret or site-specific comes from the
environment (12-factor). See ``production.py`` for the hardened variant."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[4]
SRC_DIR = BASE_DIR / "src" / "veracity"
VAR_DIR = Path(os.environ.get("VERACITY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs from our own static files, not a CDN (Content-Security-Policy)
    "simple_history",
    "huey.contrib.djhuey",
    "django_otp",
    "veracity.signin.apps.TotpDevicesConfig",  # django_otp.plugins.otp_totp, named in words
    "veracity.org",
    "veracity.audit",
    "veracity.approvals",
    "veracity.access",
    "veracity.customers",
    "veracity.sales",
    "veracity.policies",
    "veracity.workcal",
    "veracity.detection",
    "veracity.cases",
    "veracity.conduct",
    "veracity.notify",
    "veracity.incidents",
    "veracity.retention",
    "veracity.inquiry",
    "veracity.notices",
    "veracity.portal",
    "veracity.signin",
    "veracity.web",
    "veracity.api",
    "veracity.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "veracity.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session, except under /my/: the customer portal's own cookie (veracity.portal)
    "veracity.portal.sessions.PortalSessionMiddleware",
    "veracity.web.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "veracity.web.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "veracity.config.urls"
WSGI_APPLICATION = "veracity.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veracity.web.context.roles",
                "veracity.web.context.notifications",
                "veracity.web.context.navigation",
            ],
        },
    },
]


def database_from_env(default_url: str) -> dict[str, object]:
    """One database from ``DATABASE_URL``; SQLite gets WAL + IMMEDIATE transactions."""
    url = os.environ.get("DATABASE_URL", default_url)
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=600))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'veracity.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # pinyin words, dates, repeated words, the product's name (Django's list is English)
    {"NAME": "veracity.signin.validators.ChinesePasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every login (the staff pages, the admin) goes through the lockout (see veracity.signin).
AUTHENTICATION_BACKENDS = ["veracity.signin.backends.LockoutModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# A form sent without its CSRF token gets Veracity's 403 page in the page's language.
CSRF_FAILURE_VIEW = "veracity.web.views.errors.csrf_failure"
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Evidence of problem-item investigations, sealed (AES-GCM) one file per record.
VERACITY_EVIDENCE_DIR = Path(os.environ.get("VERACITY_EVIDENCE_DIR", VAR_DIR / "evidence"))
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Content-Security-Policy of every response when DEBUG is off (veracity.web.middleware): the
# pages' script, style, images and fonts come from this site only; no inline script, no inline
# style (bars get their width from web/app.js through the CSSOM, which the policy allows), no
# plugins, no framing, forms post to this site only. ``data:`` images for the API docs' icons.
VERACITY_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Personal-data protection -------------------------------------------------------------
# Keyring "k1:<base64 32 bytes>,k2:<...>"; the active key encrypts, every listed key decrypts.
VERACITY_FIELD_KEYS = os.environ.get("VERACITY_FIELD_KEYS", "")
VERACITY_ACTIVE_KEY_ID = os.environ.get("VERACITY_ACTIVE_KEY_ID", "")
# Key of the blind index (HMAC-SHA256 of the normalised value); not rotated with data keys.
VERACITY_INDEX_KEY = os.environ.get("VERACITY_INDEX_KEY", "")
# Display masks: (characters kept at the start, characters kept at the end).
VERACITY_MASKS = {
    "id_keep": (1, 1),
    "mobile_keep": (3, 4),
    "card_keep": (6, 4),
}

# SF-1: how many days a passed form-filling test keeps counting for sales qualification;
# empty (the default): a passed test does not expire.
VERACITY_QUALIFICATION_TEST_VALIDITY_DAYS = (
    int(os.environ["VERACITY_QUALIFICATION_TEST_VALIDITY_DAYS"])
    if os.environ.get("VERACITY_QUALIFICATION_TEST_VALIDITY_DAYS")
    else None
)
# Seconds the gate's snapshot of the seller register is used before the database is asked
# whether the register changed (another process's training records show after this delay).
VERACITY_QUALIFICATION_SNAPSHOT_TTL = float(
    os.environ.get("VERACITY_QUALIFICATION_SNAPSHOT_TTL", "1")
)

# Anomaly signal (D4.27): a user who reads more distinct customer files in a day than this
# (or five times their usual) raises a leak-incident candidate.
VERACITY_ANOMALY_FILES_PER_DAY = int(os.environ.get("VERACITY_ANOMALY_FILES_PER_DAY", "200"))

# --- Client address ------------------------------------------------------------------------
# Reverse proxies in front of the application (CIDR list, comma-separated in the environment).
# A request from one of them is taken to come from the right-most X-Forwarded-For address
# that is not one of them; from anywhere else, X-Forwarded-For is ignored (veracity.db.addresses).
VERACITY_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("VERACITY_TRUSTED_PROXIES", "").split(",") if p.strip()
]

# --- Sign-in protection ------------------------------------------------------------------
# Lockout: this many failed logins for one account, or from one address, within
# ``window_minutes`` refuse every further attempt (the right password included) there for
# ``lockout_minutes``. Each lockout is audited and raises a leak-incident candidate.
VERACITY_LOGIN_LIMITS = {
    "account": int(os.environ.get("VERACITY_LOGIN_ACCOUNT_LIMIT", "10")),
    "address": int(os.environ.get("VERACITY_LOGIN_ADDRESS_LIMIT", "30")),
    "window_minutes": int(os.environ.get("VERACITY_LOGIN_WINDOW_MINUTES", "15")),
    "lockout_minutes": int(os.environ.get("VERACITY_LOGIN_LOCKOUT_MINUTES", "15")),
}
# API clients: at most N requests per S seconds per token ("N/S"); over it, 429 with
# Retry-After. Counted in the cache: Redis when REDIS_URL is set (shared by every worker).
# Customer text messages (issue 14): the gateway backend (``veracity.notify.sms``): "file"
# writes $VERACITY_VAR_DIR/sms-outbox.jsonl; "alibaba" the Alibaba Cloud SMS service.
VERACITY_SMS_BACKEND = os.environ.get("VERACITY_SMS_BACKEND", "file")

# --- The customer portal /my/ (IQ-3, veracity.portal) ---------------------------------------
# Its own session cookie (never the staff one), idle expiry; Secure where the staff cookie is.
VERACITY_PORTAL_SESSION = {
    "prefix": "/my/",
    "cookie_name": "veracity_my",
    "idle_seconds": int(os.environ.get("VERACITY_PORTAL_IDLE_SECONDS", "900")),
}
# One-time codes by SMS: digits, minutes valid, tries; at most this many codes per phone a
# minute, an hour, a day (below the SMS providers' own limits).
VERACITY_PORTAL_OTP = {"digits": 6, "valid_minutes": 5, "max_tries": 5}
VERACITY_PORTAL_SMS_LIMITS = {"minute": 1, "hour": 5, "day": 10}
# Portal login lockout, per account (the ID document typed) and per address.
VERACITY_PORTAL_LOGIN_LIMITS = {
    "account": int(os.environ.get("VERACITY_PORTAL_ACCOUNT_LIMIT", "5")),
    "address": int(os.environ.get("VERACITY_PORTAL_ADDRESS_LIMIT", "20")),
    "window_minutes": 15,
    "lockout_minutes": 15,
}
# Customer notices (NT-1, NT-2): a renewal premium's reminder goes N days before it is due;
# a notice the gateway could not take is tried again after base × 2^(n−1) seconds, at most
# N attempts; an SMS without a delivery receipt after some hours is asked about (polled).
VERACITY_PREMIUM_DUE_NOTICE_DAYS = int(os.environ.get("VERACITY_PREMIUM_DUE_NOTICE_DAYS", "10"))
VERACITY_NOTICE_MAX_ATTEMPTS = int(os.environ.get("VERACITY_NOTICE_MAX_ATTEMPTS", "5"))
VERACITY_NOTICE_RETRY_BASE_SECONDS = int(os.environ.get("VERACITY_NOTICE_RETRY_BASE_SECONDS", "60"))
VERACITY_NOTICE_POLL_AFTER_HOURS = float(os.environ.get("VERACITY_NOTICE_POLL_AFTER_HOURS", "6"))
# The Alibaba Cloud SMS backend (``VERACITY_SMS_BACKEND=alibaba``): the access key from the
# environment only; the approved sign name; the endpoint (a local fake server in tests).
VERACITY_ALIBABA_SMS_ACCESS_KEY_ID = os.environ.get("VERACITY_ALIBABA_SMS_ACCESS_KEY_ID", "")
VERACITY_ALIBABA_SMS_ACCESS_KEY_SECRET = os.environ.get(
    "VERACITY_ALIBABA_SMS_ACCESS_KEY_SECRET", ""
)
VERACITY_ALIBABA_SMS_SIGN_NAME = os.environ.get("VERACITY_ALIBABA_SMS_SIGN_NAME", "")
VERACITY_ALIBABA_SMS_ENDPOINT = os.environ.get(
    "VERACITY_ALIBABA_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"
)
VERACITY_ALIBABA_SMS_PROTOCOL = os.environ.get("VERACITY_ALIBABA_SMS_PROTOCOL", "https")
VERACITY_API_RATE = os.environ.get("VERACITY_API_RATE", "60/10")
# Staff of these roles must log in with a TOTP code (enrolment is forced after the password);
# anyone else may enrol. Production requires it of admin, information manager and auditor.
VERACITY_OTP_REQUIRED_ROLES = [
    r for r in os.environ.get("VERACITY_OTP_REQUIRED_ROLES", "").split(",") if r.strip()
]
OTP_TOTP_ISSUER = "Veracity"
# ``demo-users`` (the demo logins with their shared password) refuses to run where this is on.
VERACITY_PRODUCTION = False
# Only the embedded demo's settings make the demo logins (one published password).
VERACITY_DEMO = False

# --- Jobs ------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # One cache for every worker: the API rate limit counts there.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "veracity",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "veracity",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "veracity",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }

# Routes whose URLs may carry personal data in a query string: the server and request logs
# keep their path only. Every route of this app may (a filter by customer, an application
# number), so all of them.
VERACITY_LOG_PRIVATE_PATHS = ["/"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "drop_query_strings": {
            "()": "veracity.config.logfilters.DropQueryStrings",
            "paths": VERACITY_LOG_PRIVATE_PATHS,
        },
    },
    "formatters": {
        # Django's runserver access-log format (django.utils.log.DEFAULT_LOGGING)
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["drop_query_strings"],
        },
        "django.request": {"filters": ["drop_query_strings"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
# The API's docs and OpenAPI spec for anyone (demo, tests); otherwise for API clients and
# administrators only (veracity.api.docs). Off unless a settings module or the environment
# opens them.
VERACITY_API_DOCS_PUBLIC = env_bool("VERACITY_API_DOCS_PUBLIC", False)

# On SQLite, Django notes that two PostgreSQL-only index features are left out there: the
# policy-role index's carried column (W040: the index still serves, the planner just visits
# the table) and NULLS NOT DISTINCT on problem-item members (W047: the detection never writes
# a duplicate member; PostgreSQL enforces it).
SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]

# --- Entry paths -----------------------------------------------------------------------------
# ID-type codes a sending system uses, read as Veracity's codes (``core.schema``), e.g.
# {"bancassurance": {"01": "resident_id", "02": "passport"}}; JSON in the environment.
VERACITY_ID_TYPE_ALIASES: dict[str, dict[str, str]] = json.loads(
    os.environ.get("VERACITY_ID_TYPE_ALIASES", "{}")
)

# Verified inquiry (IQ-1, D1.17, D1.19): after ``failures`` failed verifications of one policy
# number or one ID number within ``window_hours``, attempts on it are refused for
# ``lock_minutes``; the desk shows a verified answer for ``answer_minutes``.
VERACITY_INQUIRY_LIMITS = {
    "failures": 5,
    "window_hours": 24,
    "lock_minutes": 30,
    "answer_minutes": 30,
}
