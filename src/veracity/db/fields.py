"""Personal data at rest: AES-GCM per field, blind index for exact search.

The cipher lives in :mod:`veracity.core.crypto`; this module binds it to Django settings and
to model fields. A value is encrypted with ``aad = "<app>.<Model>.<field>"`` so a ciphertext
copied into another column does not decrypt.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from veracity.core.crypto import FieldCrypto, parse_index_key, parse_keyring


@lru_cache(maxsize=1)
def field_crypto() -> FieldCrypto:
    """The process-wide cipher built from settings (cached; call ``reset_field_crypto`` after
    changing the keyring)."""
    if not settings.VERACITY_FIELD_KEYS or not settings.VERACITY_INDEX_KEY:
        raise ImproperlyConfigured("VERACITY_FIELD_KEYS and VERACITY_INDEX_KEY must be set")
    keys = parse_keyring(settings.VERACITY_FIELD_KEYS)
    active = settings.VERACITY_ACTIVE_KEY_ID or next(iter(keys))
    index_key = parse_index_key(settings.VERACITY_INDEX_KEY)
    return FieldCrypto(keys=keys, active_key_id=active, index_key=index_key)


def reset_field_crypto() -> None:
    field_crypto.cache_clear()


def blind_index(normalised: str | None, *, domain: str) -> str | None:
    """HMAC of an already normalised value, or None for an empty one."""
    if not normalised:
        return None
    return field_crypto().blind_index(normalised, domain=domain)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Stores ``v1:<key id>:<nonce+ciphertext>``; Python code only ever sees plaintext.

    Reading the attribute is not itself audited here: reads of personal data are audited
    where they are shown or exported (selectors), with the purpose.
    """

    description = "Text encrypted with AES-GCM"

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.aad = f"{cls._meta.app_label}.{cls.__name__}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return field_crypto().decrypt(value, aad=self.aad)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return field_crypto().encrypt(str(value), aad=self.aad)

    def get_prep_values(self, values: Sequence[Any]) -> list[Any]:
        """``get_prep_value`` of many values at once (bulk writes)."""
        texts = [
            None if v is None else super(EncryptedTextField, self).get_prep_value(v) for v in values
        ]
        todo = [i for i, text in enumerate(texts) if text]
        tokens = field_crypto().encrypt_many([str(texts[i]) for i in todo], aad=self.aad)
        for i, token in zip(todo, tokens, strict=True):
            texts[i] = token
        return texts
