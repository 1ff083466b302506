"""Production: everything from the environment, refuses to start without its secrets, passes
``manage.py check --deploy``."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from veracity.config.settings.base import *  # noqa: F403
from veracity.config.settings.base import env_bool
from veracity.core.addresses import trusted_networks
from veracity.core.crypto import keyring_problems


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"environment variable {name} is required in production")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
VERACITY_FIELD_KEYS = required("VERACITY_FIELD_KEYS")
VERACITY_ACTIVE_KEY_ID = required("VERACITY_ACTIVE_KEY_ID")
VERACITY_INDEX_KEY = required("VERACITY_INDEX_KEY")
# A malformed keyring stops the process here, not at the first import that encrypts a value
# (``check --deploy`` reports the same problems: ``veracity.access.checks``).
if _keyring_problems := keyring_problems(
    field_keys=VERACITY_FIELD_KEYS,
    active_key_id=VERACITY_ACTIVE_KEY_ID,
    index_key=VERACITY_INDEX_KEY,
):
    raise ImproperlyConfigured(
        "the encryption keyring is unusable: " + "; ".join(_keyring_problems)
    )

# A mistyped proxy list stops the process here (it would otherwise make every client look
# like the proxy, or believe a forged X-Forwarded-For); the list itself comes from base.
try:
    trusted_networks(VERACITY_TRUSTED_PROXIES)  # noqa: F405
except ValueError as _error:
    raise ImproperlyConfigured(f"VERACITY_TRUSTED_PROXIES: {_error}") from _error

VERACITY_API_DOCS_PUBLIC = False  # API clients and administrators only (veracity.api.docs)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Two-factor login (TOTP) for those who administer, govern and audit customer information.
VERACITY_OTP_REQUIRED_ROLES = ["admin", "information_manager", "auditor"]
VERACITY_PRODUCTION = True
