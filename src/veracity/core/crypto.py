"""Field encryption (AES-256-GCM, key id in the value) and blind indexes (HMAC-SHA256).

Token format: ``v1:<key_id>:<urlsafe base64 of 12-byte nonce + ciphertext+tag>``. The AAD
binds a value to its place (``table.field``), so a value copied to another column does
not decrypt. The blind index is an HMAC of the *normalised* value, domain-separated, for
equality search and duplicate detection without decrypting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "DecryptionError",
    "FieldCrypto",
    "generate_key",
    "keyring_problems",
    "parse_index_key",
    "parse_keyring",
]

_VERSION = "v1"
_NONCE = 12
_URLSAFE = bytes.maketrans(b"+/", b"-_")


class DecryptionError(Exception):
    """The token cannot be decrypted: tampered, wrong AAD, unknown key or malformed."""


def generate_key() -> bytes:
    return os.urandom(32)


def _check_key_id(key_id: str) -> None:
    if not key_id or ":" in key_id or "," in key_id or key_id != key_id.strip():
        raise ValueError(f"invalid key id {key_id!r}")


class FieldCrypto:
    def __init__(self, *, keys: Mapping[str, bytes], active_key_id: str, index_key: bytes) -> None:
        if active_key_id not in keys:
            raise ValueError("active key id not in keyring")
        for key_id, key in keys.items():
            _check_key_id(key_id)
            if len(key) != 32:
                raise ValueError(f"key {key_id!r} must be 32 bytes")
        if len(index_key) != 32:
            raise ValueError("index key must be 32 bytes")
        self._aeads = {key_id: AESGCM(bytes(key)) for key_id, key in keys.items()}
        self._active = active_key_id
        self._index = hmac.new(bytes(index_key), digestmod=hashlib.sha256)

    @property
    def active_key_id(self) -> str:
        return self._active

    def encrypt(self, plaintext: str, *, aad: str) -> str:
        nonce = os.urandom(_NONCE)
        ct = self._aeads[self._active].encrypt(nonce, plaintext.encode(), aad.encode())
        body = base64.urlsafe_b64encode(nonce + ct).decode("ascii")
        return f"{_VERSION}:{self._active}:{body}"

    def encrypt_many(self, plaintexts: Sequence[str], *, aad: str) -> list[str]:
        """``encrypt`` of each value under one AAD, in the same format; for bulk writes
        (the nonces come from one ``os.urandom`` call, the AAD is encoded once)."""
        nonces = os.urandom(_NONCE * len(plaintexts))
        seal = self._aeads[self._active].encrypt
        aad_bytes = aad.encode()
        prefix = f"{_VERSION}:{self._active}:"
        b64, urlsafe = binascii.b2a_base64, _URLSAFE
        tokens = []
        for i, plaintext in enumerate(plaintexts):
            nonce = nonces[i * _NONCE : (i + 1) * _NONCE]
            raw = nonce + seal(nonce, plaintext.encode(), aad_bytes)
            tokens.append(prefix + b64(raw, newline=False).translate(urlsafe).decode("ascii"))
        return tokens

    def _split(self, token: str) -> tuple[str, str]:
        if not isinstance(token, str):
            raise DecryptionError("token is not a string")
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != _VERSION:
            raise DecryptionError("malformed token")
        return parts[1], parts[2]

    def decrypt(self, token: str, *, aad: str) -> str:
        key_id, body = self._split(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise DecryptionError(f"unknown key id {key_id!r}")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise DecryptionError("malformed token body") from exc
        if len(raw) < _NONCE + 16:
            raise DecryptionError("token too short")
        try:
            plain = aead.decrypt(raw[:_NONCE], raw[_NONCE:], aad.encode())
        except InvalidTag as exc:
            raise DecryptionError("authentication failed (tampered or wrong aad/key)") from exc
        return plain.decode()

    def encrypt_bytes(self, data: bytes, *, aad: str) -> bytes:
        """A file's bytes sealed under the active key: ``v1:<key_id>:`` + nonce +
        ciphertext+tag (binary, no base64: evidence files are megabytes)."""
        nonce = os.urandom(_NONCE)
        sealed = self._aeads[self._active].encrypt(nonce, data, aad.encode())
        return f"{_VERSION}:{self._active}:".encode() + nonce + sealed

    def decrypt_bytes(self, blob: bytes, *, aad: str) -> bytes:
        parts = blob.split(b":", 2)
        if len(parts) != 3 or parts[0] != _VERSION.encode():
            raise DecryptionError("malformed sealed file")
        aead = self._aeads.get(parts[1].decode("ascii", "replace"))
        if aead is None:
            raise DecryptionError("unknown key id")
        raw = parts[2]
        if len(raw) < _NONCE + 16:
            raise DecryptionError("sealed file too short")
        try:
            return aead.decrypt(raw[:_NONCE], raw[_NONCE:], aad.encode())
        except InvalidTag as exc:
            raise DecryptionError("authentication failed (tampered or wrong aad/key)") from exc

    def key_id_of(self, token: str) -> str:
        return self._split(token)[0]

    def needs_rotation(self, token: str) -> bool:
        """True when the token was encrypted under a key other than the active one."""
        return self.key_id_of(token) != self._active

    def blind_index(self, normalised: str, *, domain: str) -> str:
        """Hex HMAC-SHA256(index_key, domain + NUL + value), first 32 hex digits."""
        mac = self._index.copy()
        mac.update(f"{domain}\x00{normalised}".encode())
        return mac.hexdigest()[:32]


def _key_bytes(b64: str) -> bytes:
    """Standard or URL-safe base64, strictly (a stray character is an error, not dropped)."""
    return base64.b64decode(b64.strip().replace("-", "+").replace("_", "/"), validate=True)


def parse_index_key(spec: str) -> bytes:
    """The blind-index key: base64 of 32 bytes."""
    try:
        key = _key_bytes(spec)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the index key is not valid base64") from exc
    if len(key) != 32:
        raise ValueError(f"the index key must decode to 32 bytes, not {len(key)}")
    return key


def keyring_problems(*, field_keys: str, active_key_id: str, index_key: str) -> list[str]:
    """What is wrong with a keyring configuration, one sentence each (empty when it is
    usable): every key base64 of 32 bytes under a unique id, the active key among them, the
    index key base64 of 32 bytes. Checked at start-up, before the first import needs it."""
    problems: list[str] = []
    ring: dict[str, bytes] = {}
    if not field_keys.strip():
        problems.append("VERACITY_FIELD_KEYS is empty")
    else:
        try:
            ring = parse_keyring(field_keys)
        except ValueError as exc:
            problems.append(f"VERACITY_FIELD_KEYS: {exc}")
    if not active_key_id.strip():
        problems.append("VERACITY_ACTIVE_KEY_ID is empty")
    elif ring and active_key_id not in ring:
        problems.append(
            f"VERACITY_ACTIVE_KEY_ID {active_key_id!r} is not in the keyring "
            f"(it holds {', '.join(sorted(ring))})"
        )
    if not index_key.strip():
        problems.append("VERACITY_INDEX_KEY is empty")
    else:
        try:
            parse_index_key(index_key)
        except ValueError as exc:
            problems.append(f"VERACITY_INDEX_KEY: {exc}")
    return problems


def parse_keyring(spec: str) -> dict[str, bytes]:
    """``"k1:<base64>,k2:<base64>"`` -> ``{"k1": b"...", "k2": b"..."}`` (32-byte keys)."""
    ring: dict[str, bytes] = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, b64 = item.partition(":")
        if not sep:
            raise ValueError("keyring entries look like <key_id>:<base64 key>")
        key_id = key_id.strip()
        _check_key_id(key_id)
        try:
            key = _key_bytes(b64)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"key {key_id!r} is not valid base64") from exc
        if len(key) != 32:
            raise ValueError(f"key {key_id!r} must decode to 32 bytes, not {len(key)}")
        if key_id in ring:
            raise ValueError(f"duplicate key id {key_id!r}")
        ring[key_id] = key
    if not ring:
        raise ValueError("empty keyring")
    return ring
