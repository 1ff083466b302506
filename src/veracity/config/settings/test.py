"""Test settings: fixed throw-away keys, database from DATABASE_URL (SQLite by default)."""

from __future__ import annotations

import os

from veracity.config.settings.base import *  # noqa: F403
from veracity.config.settings.base import VAR_DIR, database_from_env

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'test.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the encryption-at-rest test reads the database file's bytes.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-run-{os.getpid()}.sqlite3")}
else:
    # One test database per run, so that runs side by side never drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
# Two keys so rotation is exercised: k2 active, k1 still readable.
VERACITY_FIELD_KEYS = (
    "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,"
    "k2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
)
VERACITY_ACTIVE_KEY_ID = "k2"
VERACITY_INDEX_KEY = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
VERACITY_API_DOCS_PUBLIC = True  # tests/api/test_docs.py closes them as production does
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HUEY = {"huey_class": "huey.MemoryHuey", "name": "veracity-test", "immediate": True}
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright's sync API in tests
# The suite makes thousands of API requests (schemathesis); the rate-limit tests lower it.
VERACITY_API_RATE = "100000/10"
VERACITY_OTP_REQUIRED_ROLES = []
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The seller register's snapshot is asked for its version on every use (each test has its
# own database state).
VERACITY_QUALIFICATION_SNAPSHOT_TTL = 0
