"""How an audit event is hashed. Kept separate from storage so verification and appending
use exactly the same bytes.

An event's hash is ``sha256(prev_hash + body)`` where ``body`` is the JSON array
``[seq, time, actor_id, actor, action, object_type, object_id, customer_id, purpose, ip,
detail]`` written compactly (no spaces, non-ASCII kept as is), the time as UTC
``YYYY-MM-DDTHH:MM:SS.ffffffZ``. ``body`` builds that text directly — the same bytes as
``json.dumps([...], ensure_ascii=False, separators=(",", ":"))`` (a test holds the two
together), several times faster, which matters when ten million events are verified.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_quote = encode_basestring  # JSON string literal, non-ASCII kept (ensure_ascii=False)
_sha256 = hashlib.sha256


def canonical_detail(detail: dict[str, Any] | None) -> str:
    if not detail:
        return ""
    return json.dumps(
        detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def stamp(occurred_at: datetime) -> str:
    """The event time as it is hashed."""
    return occurred_at.astimezone(UTC).strftime(STAMP_FORMAT)


def json_int(value: int | None) -> str:
    """An optional integer as JSON text."""
    return "null" if value is None else str(int(value))


def body(
    seq: int | str,
    stamp_text: str,
    actor_id: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    customer_id: str,
    purpose: str,
    ip: str,
    detail: str,
) -> str:
    """The hashed JSON text of one event. ``seq``, ``actor_id`` and ``customer_id`` come as
    JSON number text (``json_int``: digits or ``null``), ``stamp_text`` as ``stamp`` makes
    it; the other fields are quoted here."""
    q = _quote
    return (
        f'[{seq},"{stamp_text}",{actor_id},{q(actor)},{q(action)},{q(object_type)},'
        f"{q(object_id)},{customer_id},{q(purpose)},{q(ip)},{q(detail)}]"
    )


def link_hash(prev_hash: str, body_text: str) -> str:
    return _sha256((prev_hash + body_text).encode("utf-8")).hexdigest()


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
    return link_hash(
        prev_hash,
        body(
            int(seq),
            stamp(occurred_at),
            json_int(actor_id),
            actor,
            action,
            object_type,
            object_id,
            json_int(customer_id),
            purpose,
            ip,
            detail,
        ),
    )
