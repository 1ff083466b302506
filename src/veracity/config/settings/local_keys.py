"""Key material for the embedded demo: generated once, kept in a file readable by its owner
only. Production takes its keys from the environment instead."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def load_or_create_local_keys(path: Path) -> dict[str, str]:
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "field_keys": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "active_key_id": "k1",
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keys, handle)
    return keys
