"""A refused step, as staff and systems are told about it: a stable ``code``, the ``field``
at fault, and the reason in Chinese and English (convention 6: findings explain themselves).
The workflows (access governance, leak incidents, problem-item cases) refuse with their own
subclass, so a caller can tell whose rule it was."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Refusal"]


@dataclass(frozen=True)
class Refusal(Exception):
    code: str
    field: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message_en}"
