"""The embedded demo: SQLite, demo keys generated once into ``var/``, and DEBUG off like
production, so people see Veracity's own error pages in their language, never a traceback.
Static files come from WhiteNoise: ``scripts/demo.sh`` collects them, and WhiteNoise also
finds them in the apps (``WHITENOISE_USE_FINDERS``), so ``runserver`` needs no ``--insecure``."""

from __future__ import annotations

import os

from veracity.config.settings.base import *  # noqa: F403
from veracity.config.settings.base import VAR_DIR, env_bool
from veracity.config.settings.local_keys import load_or_create_local_keys

DEBUG = env_bool("DEBUG", False)
VERACITY_DEMO = True  # `veracity demo-users` makes the demo logins here only
WHITENOISE_USE_FINDERS = True
_keys = load_or_create_local_keys(VAR_DIR / "demo-keys.json")
SECRET_KEY = os.environ.get("SECRET_KEY") or _keys["secret_key"]
VERACITY_FIELD_KEYS = os.environ.get("VERACITY_FIELD_KEYS") or _keys["field_keys"]
VERACITY_ACTIVE_KEY_ID = os.environ.get("VERACITY_ACTIVE_KEY_ID") or _keys["active_key_id"]
VERACITY_INDEX_KEY = os.environ.get("VERACITY_INDEX_KEY") or _keys["index_key"]
VERACITY_API_DOCS_PUBLIC = env_bool("VERACITY_API_DOCS_PUBLIC", True)

# Notices' e-mails are written as files, one per message, to var/mail/ (read them there).
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
