"""Sales qualification of a seller on a date (SF-1, D1.9, D1.10). Pure: facts in, an answer
with its basis out.

An agent or a bancassurance specialist **holds sales qualification on a date** when, on or
before that date,

- at least :data:`REQUIRED_HOURS` class hours of form-filling training (投保单规范填写) are
  recorded (every course the training department records is form-filling training: the
  register holds no other), **and**
- a form-filling test was passed (within the validity period, when one is configured: a test
  passed more than ``validity_days`` before the date no longer counts),

and no termination penalty is in force (``terminated_on`` set and on or before the date).

A **legacy qualification** (recorded by an earlier system and imported with its source) counts
as hours and test together from its date: it is what that system knew, shown as such. It does
not outlive a termination, and a validity period applies to it as to a test.

Agencies are not qualified this way (the rule does not ask them): :func:`qualification` says
``applies=False`` and ``holds=True``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

__all__ = [
    "MISSING_WORDS",
    "QUALIFYING_KINDS",
    "REQUIRED_HOURS",
    "Qualification",
    "SellerFacts",
    "SellerSnapshot",
    "missing_words",
    "qualification",
]

#: D1.10: at least 2 class hours of form-filling training.
REQUIRED_HOURS: Final = Decimal(2)

#: The seller kinds the rule asks (agents and bancassurance specialists).
QUALIFYING_KINDS: Final = frozenset({"agent", "banca_specialist"})

#: What may be missing, in words (zh, en), for findings and pages.
MISSING_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "hours": ("投保单规范填写培训不足2课时", "fewer than 2 class hours of form-filling training"),
    "test": ("未通过投保单规范填写测试", "no passed form-filling test"),
    "terminated": ("因处罚已解除合同", "contract terminated by a penalty"),
}


@dataclass(frozen=True, slots=True)
class SellerFacts:
    """What the rule needs of one seller: its kind, its courses ``(date, hours)``, its tests
    ``(date, passed)``, its legacy qualifications (dates) and the termination date."""

    code: str
    kind: str
    courses: tuple[tuple[date, Decimal], ...] = ()
    tests: tuple[tuple[date, bool], ...] = ()
    legacy: tuple[date, ...] = ()
    terminated_on: date | None = None


@dataclass(frozen=True, slots=True)
class SellerSnapshot:
    """The register's facts of every seller, built once and handed to the gate (never a query
    per application): ``facts`` by seller code, the configured test validity, and the
    ``version`` of the register it was built from."""

    facts: Mapping[str, SellerFacts]
    validity_days: int | None = None
    version: object = None

    def get(self, code: str) -> SellerFacts | None:
        return self.facts.get(code)

    def qualification(self, code: str, *, on: date) -> Qualification | None:
        """The qualification of seller ``code`` on ``on``; ``None`` for an unknown code."""
        facts = self.facts.get(code)
        if facts is None:
            return None
        return qualification(facts, on=on, validity_days=self.validity_days)


@dataclass(frozen=True, slots=True)
class Qualification:
    """The answer on one date, and its basis."""

    holds: bool
    applies: bool = True
    missing: tuple[str, ...] = ()
    hours: Decimal = Decimal(0)
    test_passed_on: date | None = None
    legacy_on: date | None = None
    terminated_on: date | None = None
    basis: tuple[str, ...] = field(default=())

    @property
    def by_legacy(self) -> bool:
        """Held only by a legacy qualification (no hours and test of its own)."""
        return self.holds and self.applies and self.legacy_on is not None and not self.basis


def _within(passed_on: date, on: date, validity_days: int | None) -> bool:
    return validity_days is None or on - passed_on <= timedelta(days=validity_days)


def qualification(
    facts: SellerFacts, *, on: date, validity_days: int | None = None
) -> Qualification:
    """Whether ``facts``' seller holds sales qualification on ``on`` (see the module)."""
    if facts.kind not in QUALIFYING_KINDS:
        return Qualification(holds=True, applies=False)
    hours = sum((h for d, h in facts.courses if d <= on), Decimal(0))
    test_on = max(
        (d for d, ok in facts.tests if ok and d <= on and _within(d, on, validity_days)),
        default=None,
    )
    legacy_on = max(
        (d for d in facts.legacy if d <= on and _within(d, on, validity_days)), default=None
    )
    terminated = facts.terminated_on is not None and facts.terminated_on <= on
    missing: list[str] = []
    own = hours >= REQUIRED_HOURS and test_on is not None
    basis: tuple[str, ...] = ("hours", "test") if own else ()
    if not own and legacy_on is None:
        if hours < REQUIRED_HOURS:
            missing.append("hours")
        if test_on is None:
            missing.append("test")
    if terminated:
        missing.append("terminated")
    return Qualification(
        holds=not missing,
        missing=tuple(missing),
        hours=hours,
        test_passed_on=test_on,
        legacy_on=legacy_on,
        terminated_on=facts.terminated_on if terminated else None,
        basis=basis,
    )


def missing_words(missing: Iterable[str], *, chinese: bool) -> str:
    """What is missing, in words, joined (、 or ", ")."""
    words = [MISSING_WORDS[m][0 if chinese else 1] for m in missing if m in MISSING_WORDS]
    return ("、" if chinese else ", ").join(words)
