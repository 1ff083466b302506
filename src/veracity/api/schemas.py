"""Wire shapes of the gate API. Types are strict but permissive about content: a missing or
malformed value is the gate's to report (as a finding naming the field), not a 422."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class _In(Schema):
    model_config = ConfigDict(extra="ignore")


class ProductIn(_In):
    code: str | None = Field(None, max_length=64)
    type: str | None = Field(None, max_length=40)
    term_years: float | None = Field(None, ge=0, le=1000)
    name: str | None = Field(None, max_length=200)


class SellerRef(_In):
    code: str | None = Field(None, max_length=64)
    agency_code: str | None = Field(None, max_length=64)


class PersonIn(_In):
    name: str | None = Field(None, max_length=100)
    sex: str | None = Field(None, max_length=10)
    birth_date: str | None = Field(None, max_length=20, description="YYYY-MM-DD")
    id_type: str | None = Field(None, max_length=40)
    id_number: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=300)
    phones: list[str] = Field(default_factory=list, max_length=10)
    email: str | None = Field(None, max_length=200)


class InsuredIn(PersonIn):
    relation: str | None = Field(None, max_length=20)


class BeneficiaryIn(_In):
    relation: str | None = Field(None, max_length=20)
    name: str | None = Field(None, max_length=100)
    share: float | None = Field(None, ge=0, le=100)
    sex: str | None = Field(None, max_length=10)
    birth_date: str | None = Field(None, max_length=20)
    id_type: str | None = Field(None, max_length=40)
    id_number: str | None = Field(None, max_length=40)


class PayerAccountIn(_In):
    number: str | None = Field(None, max_length=40)
    holder_name: str | None = Field(None, max_length=100)
    holder_id_type: str | None = Field(None, max_length=40)
    holder_id_number: str | None = Field(None, max_length=40)


class ApplicationIn(_In):
    application_no: str = Field(..., min_length=1, max_length=40)
    applied_on: str | None = Field(None, max_length=20, description="YYYY-MM-DD")
    product: ProductIn | None = None
    channel: str | None = Field(None, max_length=20)
    seller: SellerRef | None = None
    policyholder: PersonIn | None = None
    insured: InsuredIn | None = None
    beneficiaries: list[BeneficiaryIn] = Field(default_factory=list, max_length=20)
    payer_account: PayerAccountIn | None = None


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


class CaseErrorOut(ErrorOut):
    """A refusal with its stable code (``not_found``, ``role``, ``illegal_transition``,
    ``taken``, ``too_large``…)."""

    code: str
