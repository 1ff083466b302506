"""How records are destroyed: overwrite and delete, history included (D4.25, PIPL Art. 47).

For each customer:

- the customer row stays (policies, problem items, borrowing records and the audit trail
  refer to it by id) but its name becomes ``已销毁`` and its sex and birth date are blanked;
- identity documents, phones, addresses, e-mails and bank accounts are deleted;
- every history row of those six tables for the customer is overwritten: encrypted columns
  and blind indexes emptied, names blanked — the history is where old values would survive;
- the name copies on the customer's policy parties (and their history) are blanked;
- a policy whose premium payer account is one of the deleted accounts keeps no reference to
  it (``payer_account`` set to NULL, without a new history row): a stub account without a
  number would still tie the policy to a person and clash with the one-number-per-customer
  constraint, and the policy itself remains as the insurer's business record;
- the gate checks of the customer's policies lose their submission digest (a keyed hash of
  the whole submission, kept only to recognise an identical resubmission); their findings
  hold masked evidence only;
- a closed problem item the customer is on whose clue key is one of the customer's blind
  indexes gets a neutral key (``destroyed:<id>``); its reason and evidence hold masked
  values only.

The audit trail is not touched: its rows carry ids, codes and counts, never personal data
values, and its chain must keep verifying. Everything here runs inside the caller's
transaction; the caller decides which ids are eligible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from veracity.cases.models import CaseStep, Evidence, ProblemItem, ProblemItemMember
from veracity.cases.services import correction_unsealed, evidence_destroy
from veracity.customers.models import (
    Address,
    BankAccount,
    Customer,
    Email,
    IdentityChange,
    IdentityDocument,
    Phone,
)
from veracity.db.fields import EncryptedTextField
from veracity.policies.models import GateCheck, Policy, PolicyRole
from veracity.retention.models import DESTROYED_NAME

CHUNK = 500  # ids per statement: well below SQLite's bound-variable limit

T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _blank(field_: models.Field[Any, Any]) -> Any:
    return None if field_.null else ""


def personal_columns(model: type[models.Model], names: Iterable[str] = ()) -> dict[str, Any]:
    """Replacement values for the personal-data columns of ``model``: every encrypted field
    and blind index (``*_bidx``), plus the named plain fields."""
    extra = set(names)
    return {
        f.name: _blank(f)
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField) or f.name.endswith("_bidx") or f.name in extra
    }


@dataclass(frozen=True)
class Erasure:
    """What destruction does to one table of customer data (and to its history table)."""

    model: type[models.Model]
    link: str  # the column naming the customer
    delete: bool  # delete the live rows (else overwrite them)
    values: dict[str, Any] = field(default_factory=dict)  # overwrite with these
    history: bool = True  # the model keeps a change history (django-simple-history)

    @property
    def history_model(self) -> type[models.Model]:
        return self.model.history.model  # type: ignore[attr-defined, no-any-return]

    def models(self) -> tuple[type[models.Model], ...]:
        """The live table, and its history table when it has one."""
        return (self.model, self.history_model) if self.history else (self.model,)


#: The erasures of the apps above retention (the inquiries, the customer notices, the
#: portal), registered at their app's ready: retention never imports them.
_REGISTERED: list[Callable[[], Sequence[Erasure]]] = []


def register_erasures(factory: Callable[[], Sequence[Erasure]]) -> None:
    """Add the erasures ``factory()`` returns to every destruction (twice is harmless)."""
    if factory not in _REGISTERED:
        _REGISTERED.append(factory)


def plan() -> list[Erasure]:
    """The tables holding a customer's personal data. Bank accounts come after the policies
    that name them are unlinked (see module docstring)."""
    return [
        Erasure(IdentityDocument, "customer_id", True, personal_columns(IdentityDocument)),
        Erasure(Phone, "customer_id", True, personal_columns(Phone)),
        Erasure(Address, "customer_id", True, personal_columns(Address)),
        Erasure(Email, "customer_id", True, personal_columns(Email)),
        Erasure(BankAccount, "customer_id", True, personal_columns(BankAccount, ["holder_name"])),
        Erasure(Customer, "id", False, {"name": DESTROYED_NAME, "sex": "", "birth_date": None}),
        Erasure(PolicyRole, "customer_id", False, {"name": ""}),
        *(step for factory in _REGISTERED for step in factory()),
    ]


Counts = dict[str, dict[str, int]]


def _add(counts: defaultdict[str, dict[str, int]], table: str, op: str, n: int) -> None:
    if n:
        counts[table][op] = counts[table].get(op, 0) + n


def customers_destroy(ids: Sequence[int]) -> Counts:
    """Destroy the personal data of these customers; rows touched per table and operation."""
    counts: defaultdict[str, dict[str, int]] = defaultdict(dict)
    steps = plan()
    for chunk in chunks(sorted(set(ids))):
        keys = _blind_indexes(chunk, steps)
        unlinked = Policy.objects.filter(payer_account__customer_id__in=chunk).update(
            payer_account=None
        )
        _add(counts, Policy._meta.db_table, "payer_account_unlinked", unlinked)
        digests = GateCheck.objects.filter(
            policy_id__in=PolicyRole.objects.filter(customer_id__in=chunk).values("policy_id")
        ).exclude(digest="")
        _add(counts, GateCheck._meta.db_table, "digest_removed", digests.update(digest=""))
        for step in steps:
            where = {f"{step.link}__in": chunk}
            live = step.model._default_manager.filter(**where)
            if step.delete:
                _, per_model = live.delete()
                n = per_model.get(step.model._meta.label, 0)
                _add(counts, step.model._meta.db_table, "deleted", n)
            else:
                _add(counts, step.model._meta.db_table, "overwritten", live.update(**step.values))
            if step.history:
                history = step.history_model
                n = history._default_manager.filter(**where).update(**step.values)
                _add(counts, history._meta.db_table, "overwritten", n)
        _add(counts, ProblemItem._meta.db_table, "clue_key_removed", _neutral_keys(chunk, keys))
        # The names and birth dates submitted for the customer's documents (D1.6).
        n, _ = IdentityChange.objects.filter(customer_id__in=chunk).delete()
        _add(counts, IdentityChange._meta.db_table, "deleted", n)
        _investigations_destroy(chunk, counts)
    return dict(counts)


def _investigations_destroy(ids: Sequence[int], counts: defaultdict[str, dict[str, int]]) -> None:
    """The customers' closed problem items keep their timeline (masked values) but lose the
    sealed corrected values and the evidence files (scans and recordings of the customers)."""

    items = list(
        ProblemItem.objects.filter(members__customer_id__in=ids)
        .values_list("pk", flat=True)
        .distinct()
    )
    _add(counts, ProblemItem._meta.db_table, "correction_removed", correction_unsealed(items))
    _add(counts, Evidence._meta.db_table, "deleted", evidence_destroy(items))


def _blind_indexes(ids: Sequence[int], steps: Sequence[Erasure]) -> set[str]:
    """Every blind index the customers' rows and history rows hold (before destruction)."""
    found: set[str] = set()
    for step in steps:
        for model in step.models():
            columns = [name for name in step.values if name.endswith("_bidx")]
            if columns:
                for row in model._default_manager.filter(**{f"{step.link}__in": ids}).values_list(
                    *columns
                ):
                    found.update(v for v in row if v)
    return found


def _neutral_keys(ids: Sequence[int], keys: set[str]) -> int:
    items = (
        ProblemItem.objects.filter(members__customer_id__in=ids).values_list("pk", "key").distinct()
    )
    stale = [pk for pk, key in items if key in keys]
    for pk in stale:
        ProblemItem.objects.filter(pk=pk).update(key=f"destroyed:{pk}")
    return len(stale)


def problem_items_destroy(ids: Sequence[int]) -> Counts:
    """Delete closed problem items with their member lists, timelines and evidence files
    (an escalation stays against the seller, without the item)."""

    counts: defaultdict[str, dict[str, int]] = defaultdict(dict)
    tables = {m._meta.label: m._meta.db_table for m in (ProblemItem, ProblemItemMember, CaseStep)}
    for chunk in chunks(sorted(set(ids))):
        closed = list(
            ProblemItem.objects.filter(pk__in=chunk, status=ProblemItem.Status.CLOSED).values_list(
                "pk", flat=True
            )
        )
        _add(counts, Evidence._meta.db_table, "deleted", evidence_destroy(closed))
        _, per_model = ProblemItem.objects.filter(pk__in=closed).delete()
        for label, n in per_model.items():
            _add(counts, tables.get(label, label), "deleted", n)
    return dict(counts)


def merge(*parts: Counts) -> Counts:
    out: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for part in parts:
        for table, ops in part.items():
            for op, n in ops.items():
                _add(out, table, op, n)
    return dict(sorted(out.items()))
