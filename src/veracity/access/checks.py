"""Start-up checks of the keyring (``manage.py check --deploy``).

A malformed keyring used to pass ``check --deploy`` and crash the first import that encrypted
a value. The check parses what :func:`veracity.db.fields.field_crypto` will parse — every
data key base64 of 32 bytes under a unique id, the active key among them, the blind-index key
base64 of 32 bytes — and reports each problem as an error, so a deployment stops there.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from veracity.core.crypto import keyring_problems

HINT = (
    'VERACITY_FIELD_KEYS looks like "k1:<base64 of 32 bytes>,k2:<…>", VERACITY_ACTIVE_KEY_ID '
    "names one of them, VERACITY_INDEX_KEY is base64 of 32 bytes (e.g. "
    '`python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"`).'
)


@register(Tags.security, deploy=True)
def check_keyring(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems = keyring_problems(
        field_keys=str(getattr(settings, "VERACITY_FIELD_KEYS", "") or ""),
        active_key_id=str(getattr(settings, "VERACITY_ACTIVE_KEY_ID", "") or ""),
        index_key=str(getattr(settings, "VERACITY_INDEX_KEY", "") or ""),
    )
    return [
        Error(f"The encryption keyring is unusable: {problem}.", hint=HINT, id="veracity.E001")
        for problem in problems
    ]
