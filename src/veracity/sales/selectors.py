"""Reading the seller register (``sellers.view``): the list with each seller's qualification,
and one seller's page with the basis and the history. An agent or a specialist without
``sellers.view`` sees their own page only; a refused read is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from veracity.access.policy import record_refusal
from veracity.audit.services import Actor
from veracity.core.masking import mask
from veracity.core.qualification import Qualification
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user, is_signed_in
from veracity.sales import qualification
from veracity.sales.models import Seller, SellerContact, TrainingRecord

__all__ = [
    "SellerPage",
    "SellerRow",
    "seller_page",
    "sellers_list",
    "sellers_visible_to",
]


def sellers_visible_to(*, principal: Principal, action: str = "sellers.view") -> QuerySet[Seller]:
    """The sellers ``principal`` may read: every seller with ``action``; else only the seller
    the signed-in user is (their own page); else none."""
    if may(principal, action):
        return Seller.objects.all()
    user = acting_user(principal)
    if user is None or not getattr(user, "pk", None):
        return Seller.objects.none()
    return Seller.objects.filter(user_id=user.pk)


@dataclass
class SellerRow:
    seller: Seller
    qualification: Qualification
    #: what is missing, in the page's words (set by the page)
    missing_labels: list[str] = field(default_factory=list)


def sellers_list(
    *,
    principal: Principal,
    on: date,
    search: str = "",
    kind: str = "",
    qualified: str = "",
) -> list[SellerRow]:
    """The register as ``principal`` may read it, searched by code or name, filtered by kind
    and by qualification on ``on`` (``"yes"``/``"no"``); each with its qualification (from
    the one snapshot: no query per seller)."""
    sellers = sellers_visible_to(principal=principal).select_related("agency")
    if search:
        sellers = sellers.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if kind:
        sellers = sellers.filter(kind=kind)
    snap = qualification.snapshot()
    out: list[SellerRow] = []
    for seller in sellers.order_by("code"):
        held = snap.qualification(seller.code, on=on)
        if held is None:  # added since the snapshot was taken
            held = qualification.qualification_of(seller, on=on)
        if qualified == "yes" and not (held.applies and held.holds):
            continue
        if qualified == "no" and not (held.applies and not held.holds):
            continue
        out.append(SellerRow(seller, held))
    return out


@dataclass(frozen=True)
class SellerPage:
    seller: Seller
    qualification: Qualification
    on: date
    training: list[TrainingRecord]
    relatives: list[dict[str, Any]]
    contacts: list[dict[str, str]]
    may_manage: bool


def seller_page(seller_id: int, *, principal: Principal, on: date) -> SellerPage | None:
    """One seller as ``principal`` may see them, ``None`` otherwise (audited as refused):
    the qualification on ``on`` with its basis, every training record (legacy ones with their
    source), the termination, the registered relatives and contacts (masked)."""
    seller = (
        sellers_visible_to(principal=principal)
        .select_related("agency", "leader")
        .filter(pk=seller_id)
        .first()
    )
    if seller is None:
        if is_signed_in(principal):
            record_refusal(
                actor=Actor.of_principal(principal),
                action="sellers.view",
                object_type="seller",
                object_id=str(seller_id),
            )
        return None
    training = list(seller.training.select_related("recorded_by").order_by("date", "id"))
    contacts = list(seller.contacts.select_related("relative").order_by("kind", "id"))

    def shown(contact: SellerContact) -> dict[str, str]:
        value = str(contact.value or "")
        return {
            "kind": contact.kind,
            "kind_label": str(contact.get_kind_display()),
            "value": mask(value, "phone") if contact.kind == "phone" else mask(value, "address"),
        }

    relatives = [
        {
            "name": mask(r.name, "name"),
            "relation": r.relation,
            "contacts": [shown(c) for c in contacts if c.relative_id == r.pk],
        }
        for r in seller.relatives.order_by("id")
    ]
    return SellerPage(
        seller=seller,
        qualification=qualification.qualification_of(seller, on=on),
        on=on,
        training=training,
        relatives=relatives,
        contacts=[shown(c) for c in contacts if c.relative_id is None],
        may_manage=may(principal, "sellers.manage"),
    )
