"""Reads of the customer register (AG-10 need to know, D4.26).

Every read starts from :func:`visible_to`: access control is a query filter. Searching by a
personal datum (ID, phone, account) and opening a customer file are reads of personal data:
each writes one audit event with the purpose the user stated. What leaves this module for
display is masked (``veracity.core.masking``) with the site's mask policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.contact import city_of
from veracity.core.masking import MaskPolicy, mask
from veracity.core.refusals import Refusal
from veracity.customers import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.customers.models import (
    Address,
    BankAccount,
    Confidentiality,
    Customer,
    Email,
    IdentityDocument,
    IdType,
    Phone,
)
from veracity.customers.reach import (
    classified_hidden_from,
    customers_condition,
    policies_condition,
)
from veracity.customers.services import account_key, id_key, phone_key
from veracity.org.actions import reach_for
from veracity.org.principals import Principal, is_signed_in

__all__ = [
    "SEARCH_KINDS",
    "CustomerView",
    "SearchError",
    "customer_detail",
    "customer_search",
    "mask_policy",
    "visible_to",
]

#: Roles whose work needs the whole register (customer service owns data quality; the
#: back-office, compliance and the information manager investigate and supervise).

SEARCH_KINDS = ("name", "id_number", "phone", "account")
MAX_RESULTS = 50
#: Pages a search may be turned to (a name matching more is refined, not read through).
MAX_PAGES = 20


class SearchError(Refusal, ValueError):
    """A search that cannot be run; ``code`` is one of ``kind``, ``query``, ``purpose`` (the
    ``search.*`` entries of :mod:`veracity.customers.refusals`)."""

    namespace = "search"


def mask_policy() -> MaskPolicy:
    """The display masks configured in ``settings.VERACITY_MASKS`` (defaults otherwise)."""
    configured = getattr(settings, "VERACITY_MASKS", {}) or {}
    known = {f.name for f in fields(MaskPolicy)}
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list | tuple) else value
        for key, value in configured.items()
        if key in known
    }
    return MaskPolicy(**values)


#: What the register's files are read for, and the grant scope each needs beyond the roles'
#: reach: seeing a file; unmasking it or downloading its data only through a grant of that
#: scope (or as the file's custodian).
REACHES: Final = {
    "customers.view": "view",
    "customers.unmask": "unmask",
    "customers.download": "download",
}


def visible_to(*, principal: Principal, action: str) -> QuerySet[Customer]:
    """The customer files ``principal`` may read for ``action`` (one of :data:`REACHES`;
    AG-10, D4.18–D4.22): those its acting user (``org.principals.acting_user``) may; a
    customer or a system without a person none.

    By default what the user's roles reach (``access.roles.DEFAULT_REACH``): an agent the
    customers of the policies they sold, channel back-office those of its channel, customer
    service and compliance every general file, the customer information manager and the
    customer service manager special files too. Classified files (机密/绝密) only their
    custodian. Beyond that, the files of the user's borrowing grants in force (of at least
    the action's scope). Unmasking and downloading need a grant or custody."""
    scope = reach_for(action, REACHES)
    return Customer.objects.filter(customers_condition(principal=principal, scope=scope))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result with enough masked facts to tell namesakes apart: the file number,
    name, sex and birth date (on the customer), the last four characters of the primary ID
    number, the city of the first address."""

    customer: Customer
    id_last4: str
    city: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of :data:`MAX_RESULTS` hits; ``more`` when the search matches more than the
    pages so far (the page then asks for more conditions, and offers the next page)."""

    hits: list[SearchHit]
    page: int
    more: bool

    @property
    def results(self) -> list[Customer]:
        return [h.customer for h in self.hits]


def _hits(customers: list[Customer]) -> list[SearchHit]:
    """The masked facts of a page of customers (two queries, whatever its size)."""
    ids = [c.pk for c in customers]
    last4: dict[int, str] = {}
    for doc in IdentityDocument.objects.filter(customer_id__in=ids).order_by("-is_primary", "pk"):
        number = "".join(str(doc.number or "").split())
        last4.setdefault(doc.customer_id, number[-4:] if len(number) >= 8 else "")
    cities: dict[int, str] = {}
    for address in Address.objects.filter(customer_id__in=ids).order_by("pk"):
        if address.customer_id not in cities or not cities[address.customer_id]:
            cities[address.customer_id] = city_of(address.text)
    return [
        SearchHit(customer=c, id_last4=last4.get(c.pk, ""), city=cities.get(c.pk, ""))
        for c in customers
    ]


def customer_search_page(
    *, principal: Principal, query: str, kind: str, page: int = 1
) -> SearchPage:
    """Customers visible to ``principal`` matching ``query``, one page of
    :data:`MAX_RESULTS`, for the purpose the principal states (``principal.purpose``).

    ``kind`` ``name`` matches part of the name; ``id_number``, ``phone`` and ``account``
    match exactly through the blind index of the normalised value, so "+86 138-0013-8000",
    "13800138000" and full-width digits find the same person, and an ID number is tried
    under every document type. Every search writes one ``SEARCH_PERSONAL_DATA`` audit event
    with its kind, page and results: a name search with the name masked (王*芳), an exact
    search without its value. Raises :class:`SearchError` for an unknown kind, an empty
    query or a missing purpose.
    """
    if kind not in SEARCH_KINDS:
        raise SearchError("kind", "kind")
    query = (query or "").strip()
    if not query:
        raise SearchError("query", "query")
    purpose = (principal.purpose or "").strip()
    if not purpose:
        raise SearchError("purpose", "purpose")
    page = max(1, min(int(page), MAX_PAGES))
    found = _matching(visible_to(principal=principal, action="customers.view"), kind, query)
    start = (page - 1) * MAX_RESULTS
    rows = list(found.order_by("name", "pk")[start : start + MAX_RESULTS + 1])
    results = rows[:MAX_RESULTS]
    detail: dict[str, Any] = {"kind": kind, "results": [c.pk for c in results]}
    if kind == "name":
        detail["query"] = mask(query[:100], "name")
    if page > 1:
        detail["page"] = page
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.SEARCH_PERSONAL_DATA,
            object_type="customer",
            purpose=purpose,
            detail=detail,
        ),
    )
    return SearchPage(hits=_hits(results), page=page, more=len(rows) > MAX_RESULTS)


def customer_search(*, principal: Principal, query: str, kind: str) -> list[Customer]:
    """The first page of :func:`customer_search_page` (its customers), audited alike."""
    return customer_search_page(principal=principal, query=query, kind=kind).results


def _matching(base: QuerySet[Customer], kind: str, query: str) -> QuerySet[Customer]:
    if kind == "name":
        return base.filter(name__icontains=query[:100])
    bidxs = _search_keys(kind, query)
    if not bidxs:
        return base.none()
    models: dict[str, Any] = {"id_number": IdentityDocument, "phone": Phone, "account": BankAccount}
    model = models[kind]
    return base.filter(pk__in=model.objects.filter(number_bidx__in=bidxs).values("customer_id"))


def restricted_matches(*, principal: Principal, query: str, kind: str) -> list[int]:
    """Files matching the search that ``principal`` may not see, shown as "restricted" markers
    (their id only, to request access with): classified files (机密/绝密, D4.22) for any
    search, other files outside the user's reach only for an exact search by ID number,
    phone or account (a name alone never reveals that a file exists)."""
    query = (query or "").strip()
    if kind not in SEARCH_KINDS or not query:
        return []
    hidden = _matching(Customer.objects.all(), kind, query).exclude(
        pk__in=visible_to(principal=principal, action="customers.view").values("pk")
    )
    if kind == "name":
        hidden = hidden.exclude(confidentiality=Confidentiality.NORMAL)
    return list(hidden.order_by("pk").values_list("pk", flat=True)[:MAX_RESULTS])


def _search_keys(kind: str, query: str) -> list[str]:
    if kind == "id_number":
        keys = [id_key(id_type, query) for id_type in IdType.values]
        return sorted({key[2] for key in keys if key})
    if kind == "phone":
        phone = phone_key(query)
        return [phone[2]] if phone else []
    account = account_key(query)
    return [account[1]] if account else []


# --- the customer file --------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    id_type: str
    number: str
    is_primary: bool


@dataclass(frozen=True)
class PhoneRow:
    number: str
    kind: str
    valid: bool


@dataclass(frozen=True)
class AddressRow:
    kind: str
    text: str


@dataclass(frozen=True)
class AccountRow:
    number: str
    holder_name: str
    holder_id_number: str
    bank_name: str


@dataclass(frozen=True)
class PolicyRow:
    application_no: str
    policy_no: str
    product: str
    role: str
    relation: str
    verdict: str
    status: str
    applied_on: date | None
    policy_id: int  # its page's address (``web:application_detail``)


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    record: str
    field: str
    change: str  # "+" created, "~" changed, "-" deleted
    old: str
    new: str


@dataclass
class CustomerView:
    """A customer file as shown to staff: personal data masked."""

    id: int
    archive_no: str
    name: str
    sex: str
    birth_date: date | None
    classification: str
    confidentiality: str = "normal"
    confidentiality_label: str = ""
    may_unmask: bool = False
    unmasked: bool = False
    documents: list[DocumentRow] = field(default_factory=list)
    phones: list[PhoneRow] = field(default_factory=list)
    addresses: list[AddressRow] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)
    policies: list[PolicyRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)


#: Per history-tracked model: its label and, per personal-data field, the mask kind. Fields
#: not listed under ``fields`` (keys, blind indexes, timestamps) are not shown.
_TRACKED: dict[type[Model], tuple[Any, dict[str, str | None]]] = {
    Customer: (
        _("customer"),
        {"name": None, "sex": None, "birth_date": None, "classification": None, "archive_no": None},
    ),
    IdentityDocument: (
        _("identity document"),
        {"id_type": None, "number": "id_number", "is_primary": None},
    ),
    Phone: (_("phone"), {"number": "phone", "kind": None, "valid": None}),
    Address: (_("address"), {"kind": None, "text": "address"}),
    Email: (_("e-mail"), {"address": "email"}),
    BankAccount: (
        _("bank account"),
        {
            "number": "account",
            "holder_name": None,
            "holder_id_type": None,
            "holder_id_number": "id_number",
            "bank_name": None,
        },
    ),
}


def customer_detail(
    customer_id: Any,
    *,
    principal: Principal,
    unmask: bool = False,
    shown: Mapping[str, Sequence[int]] | None = None,
) -> CustomerView:
    """The masked file of one customer visible to ``principal``: documents, contacts,
    accounts, the policies (those ``principal`` may see) with role and gate verdict, and the
    history of every field, personal values masked. Writes one ``VIEW_PERSONAL_DATA`` audit
    event with the principal's stated purpose (``principal.purpose``). Raises ``Http404``
    when the customer does not exist *or* is not visible (so the answer does not reveal
    existence), ``SearchError("purpose")`` when the principal states no purpose.

    ``unmask``: the current values in full — its own permission (a grant of the ``unmask``
    scope, or the file's custodian) and its own ``UNMASK`` audit event with the purpose;
    ``PermissionDenied`` without it. History stays masked.

    ``shown``: what else the page shows about the file (the customer-360 panel: ids of
    problem items, access requests, grants, by kind), recorded in the same audit event — the
    panel is read with the file, under its purpose, and adds no personal data to the trail."""
    purpose = (principal.purpose or "").strip()
    if not purpose:
        raise SearchError("purpose", "purpose")
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        _refused(principal, "customers.view", customer_id)
        raise Http404("customer") from None
    if not 0 < pk < 2**63:
        _refused(principal, "customers.view", customer_id)
        raise Http404("customer")
    customer = visible_to(principal=principal, action="customers.view").filter(pk=pk).first()
    if customer is None:
        _refused(principal, "customers.view", pk)
        raise Http404("customer")
    may_unmask = visible_to(principal=principal, action="customers.unmask").filter(pk=pk).exists()
    if unmask and not may_unmask:
        _refused(principal, "customers.unmask", pk)
        raise PermissionDenied("unmask")
    policy = mask_policy()

    def show(value: str | None, kind: str, policy: MaskPolicy) -> str:
        return (value or "") if unmask else mask(value, kind, policy)

    view = CustomerView(
        id=customer.pk,
        archive_no=customer.archive_no or "",
        name=customer.name,
        sex=customer.get_sex_display(),
        birth_date=customer.birth_date,
        classification=str(customer.get_classification_display()),
        confidentiality=customer.confidentiality,
        confidentiality_label=str(customer.get_confidentiality_display()),
        may_unmask=may_unmask,
        unmasked=unmask,
    )
    view.documents = [
        DocumentRow(
            id_type=str(doc.get_id_type_display()),
            number=show(doc.number, "id_number", policy),
            is_primary=doc.is_primary,
        )
        for doc in customer.documents.order_by("-is_primary", "pk")
    ]
    view.phones = [
        PhoneRow(number=show(p.number, "phone", policy), kind=kind_label(p.kind), valid=p.valid)
        for p in customer.phones.order_by("pk")
    ]
    view.addresses = [
        AddressRow(kind=kind_label(a.kind), text=show(a.text, "address", policy))
        for a in customer.addresses.order_by("pk")
    ]
    view.emails = [show(e.address, "email", policy) for e in customer.emails.order_by("pk")]
    view.accounts = [
        AccountRow(
            number=show(a.number, "account", policy),
            holder_name=a.holder_name,
            holder_id_number=show(a.holder_id_number, "id_number", policy),
            bank_name=a.bank_name,
        )
        for a in customer.bank_accounts.order_by("pk")
    ]
    view.policies = _policies_of(principal, customer)
    view.history = customer_history(customer, policy)
    listed = {kind: [int(i) for i in ids] for kind, ids in (shown or {}).items() if ids}
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.UNMASK if unmask else Action.VIEW_PERSONAL_DATA,
            object_type="customer",
            object_id=str(customer.pk),
            customer_id=customer.pk,
            purpose=purpose,
            detail={
                **({"fields": _shown_fields(view)} if unmask else {}),
                **({"shown": listed} if listed else {}),
            },
        ),
    )
    return view


def _refused(principal: Principal, action: str, customer_id: Any) -> None:
    """``ACCESS_REFUSED`` for a file a signed-in person may not open (or unmask), with the
    purpose the principal states.

    A file that does not exist is recorded exactly like one that exists but is out of reach:
    the page answers both with the same 404, and the trail must not tell them apart either
    (whoever reads the trail would otherwise learn which ids are real files). The refusal
    is written here, where it is decided, so the web page and any other caller get it."""
    if not is_signed_in(principal):
        return
    record_refusal(
        actor=Actor.of_principal(principal),
        action=action,
        object_type="customer",
        object_id=str(customer_id),
        detail={"purpose": (principal.purpose or "").strip()[:200]},
    )


def _shown_fields(view: CustomerView) -> list[str]:
    """Which kinds of personal data an unmasked view showed in full (for the audit)."""
    shown = {
        "id_number": bool(view.documents),
        "phone": bool(view.phones),
        "address": bool(view.addresses),
        "email": bool(view.emails),
        "account": bool(view.accounts),
    }
    return [name for name, present in shown.items() if present]


def _policies_of(principal: Principal, customer: Customer) -> list[PolicyRow]:
    """The customer's part in each policy ``principal`` may see (the applications' reach
    rule, ``policies_condition``, followed from the customer's policy roles: a borrowed
    file shows the policy it was borrowed for)."""
    roles = customer.policy_roles.exclude(
        policy__roles__customer__in=classified_hidden_from(principal=principal)
    )
    reach = policies_condition(principal=principal, policy="policy__")
    if reach is not None:
        roles = roles.filter(reach)
    roles = roles.select_related("policy", "policy__product").order_by(
        "-policy__created_at", "role", "position"
    )
    return [
        PolicyRow(
            application_no=r.policy.application_no,
            policy_no=r.policy.policy_no or "",
            product=r.policy.product.label(),
            role=str(r.get_role_display()),
            relation=r.relation_label(),
            verdict=r.policy.verdict,
            status=str(r.policy.get_status_display()),
            applied_on=r.policy.applied_on,
            policy_id=r.policy.pk,
        )
        for r in roles
    ]


def customer_history(customer: Customer, policy: MaskPolicy | None = None) -> list[HistoryRow]:
    """Every recorded change of the customer and of its documents, phones, addresses,
    e-mails and accounts, newest first; personal values masked."""
    policy = policy or mask_policy()
    rows: list[HistoryRow] = []
    for model, (label, shown) in _TRACKED.items():
        history = model.history.model  # type: ignore[attr-defined]
        if model is Customer:
            records = history.objects.filter(id=customer.pk)
        else:
            records = history.objects.filter(customer_id=customer.pk)
        records = records.select_related("history_user").order_by("id", "history_date", "pk")
        rows.extend(_diff_records(records, str(label), shown, policy))
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows


def _diff_records(
    records: Iterable[Any], label: str, shown: dict[str, str | None], policy: MaskPolicy
) -> list[HistoryRow]:
    rows: list[HistoryRow] = []
    previous: dict[int, Any] = {}
    for record in records:
        before = previous.get(record.id)
        actor = record.history_user.get_username() if record.history_user else ""
        for name, kind in shown.items():
            new = getattr(record, name, None)
            old = getattr(before, name, None) if before is not None else None
            if record.history_type == "+" or before is None:
                if new in (None, ""):
                    continue
                change, old_text, new_text = "+", "", _show(record, name, new, kind, policy)
            elif record.history_type == "-":
                change, old_text, new_text = "-", _show(record, name, new, kind, policy), ""
            else:
                if old == new:
                    continue
                change = "~"
                old_text = _show(before, name, old, kind, policy)
                new_text = _show(record, name, new, kind, policy)
            rows.append(
                HistoryRow(
                    at=record.history_date,
                    actor=actor,
                    record=label,
                    field=str(record._meta.get_field(name).verbose_name),
                    change=change,
                    old=old_text,
                    new=new_text,
                )
            )
        previous[record.id] = record
    return rows


#: Display labels of the free-text ``kind`` columns of phones and addresses.
KIND_LABELS = {
    "mobile": _("mobile"),
    "fixed": _("landline"),
    "unknown": _("unknown"),
    "contact": _("contact address"),
    "home": _("home address"),
    "work": _("work address"),
}
ID_TYPE_LABELS = dict(IdType.choices)


def kind_label(value: str) -> str:
    return str(KIND_LABELS.get(value, value))


def _show(record: Any, name: str, value: Any, kind: str | None, policy: MaskPolicy) -> str:
    if value is None or value == "":
        return ""
    if kind:
        return mask(str(value), kind, policy)
    if name == "kind":
        return kind_label(str(value))
    if name == "holder_id_type":
        return str(ID_TYPE_LABELS.get(value, value))
    display = getattr(record, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)
