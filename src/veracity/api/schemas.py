"""Wire shapes of the gate API. The request body of an application is the one strict schema
of every entry path (``veracity.core.schema``): a record that does not fit it is a 422 naming
every field and why; a record that fits it but breaks a rule is the gate's to report (as a
finding naming the field)."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema

from veracity.core.schema import ApplicationIn


class FindingOut(Schema):
    code: str
    field: str
    severity: Literal["error", "warning", "info"]
    message_zh: str
    message_en: str
    evidence: dict[str, Any]


class VerdictOut(Schema):
    application_no: str | None
    verdict: Literal["pass", "fail"]
    findings: list[FindingOut]


class SupplementOut(Schema):
    id: int
    status: str
    items: list[dict[str, Any]]


class StoredOut(VerdictOut):
    outcome: Literal["created", "updated", "unchanged"]
    policy_id: int
    status: str
    supplement_request: SupplementOut | None


class ErrorOut(Schema):
    field: str
    message_zh: str
    message_en: str


class RejectedOut(Schema):
    """A request body that does not fit the schema: every field that is wrong, and why."""

    code: Literal["invalid"]
    field: str
    message_zh: str
    message_en: str
    errors: list[ErrorOut]


class CaseErrorOut(ErrorOut):
    """A refusal with its stable code (``not_found``, ``role``, ``illegal_transition``,
    ``taken``, ``too_large``…)."""

    code: str


__all__ = [
    "ApplicationIn",
    "CaseErrorOut",
    "ErrorOut",
    "FindingOut",
    "RejectedOut",
    "StoredOut",
    "SupplementOut",
    "VerdictOut",
]
