"""Naming customers in forms by their file number (档案号), and the customer picker.

A form that names customers reads the file numbers as people type them
(``veracity.customers.numbers``) and resolves them here, within the reach of the person
filling it in (:func:`customers_named`). The picker (:func:`customer_pick`) is the
type-ahead behind those fields: file number or part of a name, answered with masked facts
enough to tell namesakes apart, only from the files the person may see, and audited with the
purpose stated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.masking import mask
from veracity.customers.models import Customer
from veracity.customers.numbers import archive_no_of_id, normalise
from veracity.customers.selectors import SearchError, mask_policy, visible_to
from veracity.org.principals import Principal, is_signed_in

__all__ = ["PICK_LIMIT", "Named", "Pick", "customer_pick", "customers_named"]

#: How many files the picker offers at once (it is a type-ahead, not a search page).
PICK_LIMIT = 10
#: The longest text the picker reads.
MAX_QUERY = 50


@dataclass(frozen=True)
class Named:
    """The customers a form names: ``ids`` in the order typed, and the texts ``missing``
    that name no file the person may reach (or no file number at all)."""

    ids: list[int]
    missing: list[str]


def customers_named(
    texts: Iterable[str], *, principal: Principal | None, action: str = "customers.view"
) -> Named:
    """The customers the file numbers ``texts`` name (as typed: ``C0000000010``, ``c10``,
    full-width). With a ``principal``, only the files it may reach for ``action``
    (``customers.selectors.visible_to``); each text naming none is recorded as a refused
    attempt (``ACCESS_REFUSED``, alike whether the file exists or not). Without one
    (``principal=None``: a request to borrow files one cannot see yet), every existing file.
    """
    typed = list(dict.fromkeys(t for t in texts if t))
    canonical = {t: normalise(t) for t in typed}
    wanted = {n for n in canonical.values() if n}
    base = (
        Customer.objects.all()
        if principal is None
        else visible_to(principal=principal, action=action)
    )
    found: dict[str, int] = {}
    if wanted:
        found = {
            str(no): int(pk)
            for no, pk in base.filter(archive_no__in=wanted).values_list("archive_no", "pk")
        }
    ids: list[int] = []
    missing: list[str] = []
    for text in typed:
        number = canonical[text]
        if number is not None and number in found:
            if found[number] not in ids:
                ids.append(found[number])
        else:
            missing.append(number or text)
    if principal is not None and is_signed_in(principal):
        for text in missing:
            record_refusal(
                actor=Actor.of_principal(principal),
                action=action,
                object_type="customer",
                object_id=text[:64],
                detail={"purpose": (principal.purpose or "").strip()[:200], "via": "form"},
            )
    return Named(ids=ids, missing=missing)


@dataclass(frozen=True)
class Pick:
    """One file the picker offers: its number and masked facts, never the internal id."""

    archive_no: str
    name: str  # masked
    birth_year: int | None
    id_last4: str

    def as_json(self) -> dict[str, object]:
        return {
            "archive_no": self.archive_no,
            "name": self.name,
            "birth_year": self.birth_year,
            "id_last4": self.id_last4,
        }


def customer_pick(*, principal: Principal, query: str, limit: int = PICK_LIMIT) -> list[Pick]:
    """The files ``principal`` may see (``visible_to(action="customers.view")``) that
    ``query`` names: the file number it reads as (``c10``), else files whose name contains it.
    Each is offered masked (name, birth year, last four characters of the primary ID).

    The answer is a read of personal data: one ``SEARCH_PERSONAL_DATA`` event with the
    principal's stated purpose and the files offered (the query itself is not kept). Raises
    :class:`~veracity.customers.selectors.SearchError` (``query``, ``purpose``) for an empty
    or overlong query or a missing purpose."""
    query = (query or "").strip()
    if not query or len(query) > MAX_QUERY:
        raise SearchError("query", "q")
    purpose = (principal.purpose or "").strip()
    if not purpose:
        raise SearchError("purpose", "purpose")
    base = visible_to(principal=principal, action="customers.view")
    number = normalise(query)
    if number is not None:
        found = base.filter(archive_no=number)
        kind = "archive_no"
    else:
        found = base.filter(name__icontains=query)
        kind = "name"
    rows = list(found.order_by("name", "pk").prefetch_related("documents")[: max(1, limit)])
    policy = mask_policy()
    picks = []
    for row in rows:
        documents = sorted(row.documents.all(), key=lambda d: (not d.is_primary, d.pk))
        last4 = ""
        if documents:
            plain = "".join(str(documents[0].number or "").split())
            last4 = plain[-4:] if len(plain) >= 8 else ""
        picks.append(
            Pick(
                archive_no=row.archive_no or archive_no_of_id(row.pk),
                name=mask(row.name, "name", policy),
                birth_year=row.birth_date.year if row.birth_date else None,
                id_last4=last4,
            )
        )
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.SEARCH_PERSONAL_DATA,
            object_type="customer",
            purpose=purpose,
            detail={"kind": "picker", "by": kind, "results": [r.pk for r in rows]},
        ),
    )
    return picks
