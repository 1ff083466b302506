"""Complaints against sellers and agencies (SF-2, D1.14): the one schema of a complaint for
every entry path (the API, ``veracity import complaints``, the intake form), and the
separation rule of its investigation and verification (查实).

Pure: the apps hand in the people's user ids and get a reason back (or ``None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from veracity.core.schema import (
    DateText,
    Identifier32,
    Identifier40,
    Problem,
    Rejected,
    Text40,
    describe,
)

__all__ = [
    "MAX_SUMMARY",
    "ComplaintIn",
    "ComplaintParties",
    "Conflict",
    "parse_complaint",
    "parse_date",
    "verifier_conflict",
]

MAX_SUMMARY: Final = 4000

CategoryCode = Literal["misselling", "service", "claims", "other"]


class ComplaintIn(BaseModel):
    """One complaint as the customer-service system, a file or the intake form gives it."""

    model_config = ConfigDict(strict=True, extra="forbid")

    complaint_no: Identifier40 = Field(
        description="complaint number: letters, digits, _ . - (at most 40)",
        examples=["TS2026-0001"],
    )
    received_on: DateText
    policy_no: Identifier40 | None = None
    seller_code: Identifier32 | None = None
    agency_code: Identifier32 | None = None
    category: CategoryCode
    summary: str = Field("", max_length=MAX_SUMMARY, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$")
    verified: bool | None = None
    verified_on: DateText | None = None
    # the complaints system's own reference of who verified it, kept with the source
    verified_by: Text40 | None = None


def parse_date(value: str | None, field: str) -> date | None:
    """``YYYY-MM-DD`` (a time after the date, as spreadsheets write it, is read); ``Rejected``
    otherwise."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Rejected(
            [Problem(field, "日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD")]
        ) from None


def parse_complaint(raw: object) -> dict[str, Any]:
    """The record as the schema reads it, dates as dates; ``Rejected`` with every problem.

    A complaint names a seller or an agency (or both); verified (查实) needs its date, and a
    date of verification needs a decision."""
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("", "不是一个投诉对象", "not a complaint object")])
    try:
        model = ComplaintIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected(describe(exc.errors(include_url=False))) from None
    record = model.model_dump()
    record["received_on"] = parse_date(model.received_on, "received_on")
    record["verified_on"] = parse_date(model.verified_on, "verified_on")
    record["summary"] = (model.summary or "").strip()
    problems: list[Problem] = []
    if record["verified"] is True and record["verified_on"] is None:
        problems.append(
            Problem(
                "verified_on", "查实的投诉须填写查实日期", "a verified complaint needs its date"
            )
        )
    if record["verified"] is None and record["verified_on"] is not None:
        problems.append(
            Problem(
                "verified",
                "有查实日期时须说明是否查实",
                "a date of verification needs verified true or false",
            )
        )
    if (
        record["verified_on"] is not None
        and record["received_on"] is not None
        and record["verified_on"] < record["received_on"]
    ):
        problems.append(
            Problem(
                "verified_on",
                "查实日期早于收到日期",
                "the date of verification is before the date received",
            )
        )
    if problems:
        raise Rejected(problems)
    return record


# --- who may investigate and verify -----------------------------------------------------------


class Conflict(StrEnum):
    """Why a person may not investigate or verify a complaint (D1.14: 查实 is independent)."""

    SELF = "self"  # the seller complained about
    TEAM_LEADER = "team_leader"  # the team leader of the seller complained about
    AGENCY_STAFF = "agency_staff"  # the agency complained about, or one of its staff


@dataclass(frozen=True, slots=True)
class ComplaintParties:
    """The staff users behind a complaint: the seller's own user, the seller's team leader's
    user, and (for an agency) the agency's own user and its staff's users. ``None`` where a
    seller has no user."""

    seller_user: int | None = None
    leader_user: int | None = None
    agency_users: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        seller_user: int | None,
        leader_user: int | None,
        agency_users: Iterable[int | None] = (),
    ) -> ComplaintParties:
        return cls(seller_user, leader_user, frozenset(u for u in agency_users if u is not None))


def verifier_conflict(person: int | None, parties: ComplaintParties) -> Conflict | None:
    """Why ``person`` (a user id) may not take on or verify the complaint, or ``None``: never
    the seller complained about, nor their team leader, nor for an agency its staff."""
    if person is None:
        return None
    if parties.seller_user is not None and person == parties.seller_user:
        return Conflict.SELF
    if parties.leader_user is not None and person == parties.leader_user:
        return Conflict.TEAM_LEADER
    if person in parties.agency_users:
        return Conflict.AGENCY_STAFF
    return None
