"""Who is acting: the typed principal every service takes (``principal: Principal``).

- :class:`Staff` — a signed-in staff user; the user's roles apply.
- :class:`System` — an API client, a batch job or a command. An API client acts through its
  designated staff user (``person``), whose roles then apply; without a person a system is
  nobody's role holder (it reads what its own service lets a system read).
- :class:`Customer` — a verified person of the coming customer portal, not a staff user: no
  staff role ever applies to a customer.

Each carries the request's address (``veracity.db.addresses.request_address``, proxy-aware)
and the stated purpose. The adapters build principals in one place each: the web
(``veracity.web.views.common.principal_of``), the API (``veracity.api.auth.principal_of_client``)
and the commands (:func:`system`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(frozen=True, slots=True)
class Staff:
    """A staff user acting in person (the web pages, the admin)."""

    user: Any
    address: str = ""
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class System:
    """An API client, a job or a command, named ``client_name`` as the audit trail records it
    (``api:<client>``, ``system:<job>``); ``person`` is the designated staff user through
    whom an API client acts."""

    client_name: str
    person: Any = None
    address: str = ""
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class Customer:
    """A verified person of the customer portal (``customer_id``), verified by
    ``verified_by`` (how: an SMS code, a knowledge check)."""

    customer_id: int
    verified_by: str
    address: str = ""
    purpose: str = ""


Principal = Staff | System | Customer

P = TypeVar("P", Staff, System, Customer)

PRINCIPAL_TYPES = (Staff, System, Customer)


def is_principal(value: Any) -> bool:
    return isinstance(value, PRINCIPAL_TYPES)


def acting_user(principal: Principal | None) -> Any:
    """The staff user whose roles apply: the staff user, a system's designated person (when
    active), or ``None`` (a customer, a system without a person, nobody)."""
    if isinstance(principal, Staff):
        return principal.user
    if isinstance(principal, System):
        person = principal.person
        if person is not None and getattr(person, "is_active", True):
            return person
        return None
    return None


def is_signed_in(principal: Principal | None) -> bool:
    """A person acts: a signed-in member of staff, or a system through its designated
    person (whose refusals the audit trail records)."""
    user = acting_user(principal)
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_system_reader(principal: Principal | None) -> bool:
    """A system acting without a person (a job, a command, an API client reading its own
    list): nobody's roles apply, and the reader is not any file's custodian."""
    return isinstance(principal, System) and principal.person is None


def with_purpose(principal: P, purpose: str) -> P:
    """The same principal stating ``purpose``."""
    return dataclasses.replace(principal, purpose=purpose)


def with_address(principal: P, address: str) -> P:
    """The same principal at ``address``."""
    return dataclasses.replace(principal, address=address)


def system(name: str, *, person: Any = None, address: str = "", purpose: str = "") -> System:
    """A job's or a command's principal, recorded as ``system:<name>``."""
    return System(f"system:{name}", person=person, address=address, purpose=purpose)


def staff_or_user(who: Any) -> Principal:
    """``who`` as a principal: a principal as it is, a user as :class:`Staff`."""
    if isinstance(who, PRINCIPAL_TYPES):
        return who
    return Staff(who)
