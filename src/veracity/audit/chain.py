"""How an audit event is hashed. Kept separate from storage so verification and appending
use exactly the same bytes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


def canonical_detail(detail: dict[str, Any] | None) -> str:
    if not detail:
        return ""
    return json.dumps(
        detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    customer_id: int | None,
    purpose: str,
    ip: str,
    detail: str,
) -> str:
    stamp = occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = json.dumps(
        [
            seq,
            stamp,
            actor_id,
            actor,
            action,
            object_type,
            object_id,
            customer_id,
            purpose,
            ip,
            detail,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()
