"""Sales qualification of the register's sellers (SF-1): the facts the core rule
(:mod:`veracity.core.qualification`) needs, for one seller (its page) or for all of them at once
(the gate's snapshot).

:func:`snapshot` is built once and kept in the process; it is built again when the register
changed — training recorded, a seller added or changed, a termination set — which one cheap
aggregate per table tells (:func:`register_version`), so every entry path (the API, ``veracity
gate``, an import) asks for it per request or per file, never per application. Services that
change the facts also call :func:`invalidate` (a termination set with ``QuerySet.update`` is
seen through ``terminated_on``'s aggregate).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum

from veracity.core.qualification import Qualification, SellerFacts, SellerSnapshot, qualification
from veracity.sales.models import Seller, TrainingRecord

__all__ = [
    "facts_of",
    "invalidate",
    "qualification_of",
    "register_version",
    "snapshot",
    "validity_days",
]

_lock = threading.Lock()
_cached: SellerSnapshot | None = None
_checked_at = 0.0
_generation = 0


def _ttl() -> float:
    """Seconds a snapshot is used without asking the database whether the register changed
    (``VERACITY_QUALIFICATION_SNAPSHOT_TTL``, default 1): the API checks one application per
    request, and two aggregates over the register per request would cost more than the gate.
    Changes made in this process are seen at once (:func:`invalidate`)."""
    return float(getattr(settings, "VERACITY_QUALIFICATION_SNAPSHOT_TTL", 1.0))


def validity_days() -> int | None:
    """The configured validity of a passed test, in days (``None``: no expiry)."""
    value = getattr(settings, "VERACITY_QUALIFICATION_TEST_VALIDITY_DAYS", None)
    return int(value) if value else None


def invalidate() -> None:
    """Forget this process's snapshot (the register changed)."""
    global _cached, _generation, _checked_at
    with _lock:
        _generation += 1
        _cached = None
        _checked_at = 0.0


def register_version() -> tuple[Any, ...]:
    """A value that changes whenever the facts of the register change."""
    sellers = Seller.objects.aggregate(
        n=Count("id"),
        changed=Max("updated_at"),
        terminated=Count("id", filter=Q(terminated_on__isnull=False)),
        last_end=Max("terminated_on"),
        first_end=Min("terminated_on"),
    )
    training = TrainingRecord.objects.aggregate(
        n=Count("id"),
        last=Max("id"),
        hours=Sum("hours"),
        passed=Count("id", filter=Q(passed=True)),
        score=Sum("score"),
    )
    return (
        _generation,
        validity_days(),
        tuple(sorted(sellers.items())),
        tuple(sorted(training.items())),
    )


def snapshot() -> SellerSnapshot:
    """The facts of every seller of the register, by code (see the module)."""
    global _cached, _checked_at
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - _checked_at < _ttl():
        return cached
    version = register_version()
    if cached is not None and cached.version == version:
        _checked_at = now
        return cached
    built = _build(version)
    with _lock:
        _cached = built
        _checked_at = now
    return built


def _build(version: tuple[Any, ...]) -> SellerSnapshot:
    courses: defaultdict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    tests: defaultdict[int, list[tuple[date, bool]]] = defaultdict(list)
    legacy: defaultdict[int, list[date]] = defaultdict(list)
    rows = TrainingRecord.objects.values_list("seller_id", "kind", "date", "hours", "passed")
    for seller_id, kind, on, hours, passed in rows.iterator(chunk_size=10_000):
        if kind == TrainingRecord.Kind.COURSE:
            courses[seller_id].append((on, hours or Decimal(0)))
        elif kind == TrainingRecord.Kind.TEST:
            tests[seller_id].append((on, bool(passed)))
        elif kind == TrainingRecord.Kind.LEGACY:
            legacy[seller_id].append(on)
    facts: dict[str, SellerFacts] = {}
    sellers = Seller.objects.values_list("id", "code", "kind", "terminated_on")
    for pk, code, kind, terminated_on in sellers.iterator(chunk_size=10_000):
        facts[code] = SellerFacts(
            code=code,
            kind=kind,
            courses=tuple(courses.get(pk, ())),
            tests=tuple(tests.get(pk, ())),
            legacy=tuple(legacy.get(pk, ())),
            terminated_on=terminated_on,
        )
    return SellerSnapshot(facts=facts, validity_days=validity_days(), version=version)


def facts_of(seller: Seller) -> SellerFacts:
    """The rule's facts of one seller, from its own records."""
    records = list(seller.training.all())
    return SellerFacts(
        code=seller.code,
        kind=seller.kind,
        courses=tuple(
            (r.date, r.hours or Decimal(0)) for r in records if r.kind == TrainingRecord.Kind.COURSE
        ),
        tests=tuple(
            (r.date, bool(r.passed)) for r in records if r.kind == TrainingRecord.Kind.TEST
        ),
        legacy=tuple(r.date for r in records if r.kind == TrainingRecord.Kind.LEGACY),
        terminated_on=seller.terminated_on,
    )


def qualification_of(seller: Seller, *, on: date) -> Qualification:
    """Whether ``seller`` holds sales qualification on ``on``, with the basis."""
    return qualification(facts_of(seller), on=on, validity_days=validity_days())
