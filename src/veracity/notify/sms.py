"""The SMS gateway: one interface, a backend chosen in the settings (``VERACITY_SMS_BACKEND``).

- ``file`` (the default): one JSON line per message appended to
  ``$VERACITY_VAR_DIR/sms-outbox.jsonl``: ``{"notice_id", "to", "template", "params"}``, which
  the demo and the tests read (an OTP is read back from it);
- further backends (the Alibaba Cloud SMS service) register themselves with
  :func:`register_backend` and are named in the settings.

``send_sms`` hands one message to the backend and returns its :class:`SmsResult`: accepted
(with the provider's message id, for the delivery receipt) or refused (with the provider's
code). It never raises for a refusal; a backend that cannot be reached raises
:class:`SmsUnavailable` so that the caller's job retries.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One text message: ``to`` (E.164), the template's code and its parameters, and the id
    of the notice (or one-time code) it carries, which the backend passes on for receipts."""

    notice_id: str
    to: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SmsResult:
    accepted: bool
    provider_id: str = ""
    code: str = ""  # the provider's refusal code
    message: str = ""


class SmsUnavailable(Exception):
    """The gateway could not be reached (try again later)."""


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> SmsResult: ...


_LOCK = threading.Lock()


class FileBackend:
    """Appends each message as one JSON line to ``$VERACITY_VAR_DIR/sms-outbox.jsonl``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(settings.VAR_DIR) / "sms-outbox.jsonl"

    def send(self, message: SmsMessage) -> SmsResult:
        return self.send_many([message])[0]

    def send_many(self, messages: Sequence[SmsMessage]) -> list[SmsResult]:
        """Several messages with one write and one ``fsync`` (the outbox sends in batches:
        an ``fsync`` per line would bound it to a few hundred messages a second)."""
        lines = "".join(
            json.dumps(
                {
                    "notice_id": message.notice_id,
                    "to": message.to,
                    "template": message.template,
                    "params": dict(message.params),
                },
                ensure_ascii=False,
                default=str,
            )
            + "\n"
            for message in messages
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _LOCK, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
        return [SmsResult(accepted=True, provider_id=f"file-{m.notice_id}") for m in messages]


_BACKENDS: dict[str, Callable[[], SmsBackend]] = {"file": FileBackend}


def register_backend(name: str, factory: Callable[[], SmsBackend]) -> None:
    """Make ``name`` a choice of ``VERACITY_SMS_BACKEND``."""
    _BACKENDS[name] = factory


def backend() -> SmsBackend:
    name = getattr(settings, "VERACITY_SMS_BACKEND", "file") or "file"
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise SmsUnavailable(f"unknown SMS backend {name!r}") from None


def send_sms(message: SmsMessage) -> SmsResult:
    """Hand ``message`` to the configured backend."""
    return backend().send(message)


def file_outbox(path: Path | None = None) -> list[dict[str, Any]]:
    """The messages the ``file`` backend wrote (for the demo and the tests)."""
    target = path or Path(settings.VAR_DIR) / "sms-outbox.jsonl"
    if not target.exists():
        return []
    with open(target, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
