"""The demo's portal customer: one demo customer who is the policyholder of one policy and the
insured of another (both with policy numbers), given a portal account with the demo's portal
password, so that the portal can be tried without the SMS step. Any other demo customer
registers on ``/my/register/``; the demo's SMS go to ``var/sms-outbox.jsonl``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from veracity.customers.models import IdentityDocument
from veracity.org.principals import Customer
from veracity.policies.models import PolicyRole, Role
from veracity.portal.models import PortalAccount
from veracity.portal.services import mobile_on_file, portal_password_set

#: The demo portal password (the demo only; it passes the password validators).
DEMO_PORTAL_PASSWORD = "Xihu-Longjing-88"  # noqa: S105 - the embedded demo only; printed


@dataclass(frozen=True, slots=True)
class DemoPortalCustomer:
    customer_id: int
    name: str
    id_type: str
    id_number: str
    as_policyholder: str
    as_insured: str


def demo_portal_customer() -> DemoPortalCustomer | None:
    """The first customer (by id) who holds one numbered policy and is insured by another,
    with a mobile on file; ``None`` when the book has none (no policy numbers yet)."""
    numbered = PolicyRole.objects.filter(policy__policy_no__isnull=False, customer__isnull=False)
    holders = numbered.filter(role=Role.POLICYHOLDER)
    insured = (
        numbered.filter(role=Role.INSURED, customer_id__in=holders.values("customer_id"))
        .select_related("policy", "customer")
        .order_by("customer_id")
    )
    for role in insured[:500]:
        customer_id, customer = role.customer_id, role.customer
        if customer_id is None or customer is None:
            continue
        own = (
            holders.filter(customer_id=customer_id)
            .exclude(policy_id=role.policy_id)
            .select_related("policy")
            .first()
        )
        document = IdentityDocument.objects.filter(customer_id=customer_id).first()
        if own is None or document is None or mobile_on_file(customer_id) is None:
            continue
        return DemoPortalCustomer(
            customer_id=customer_id,
            name=customer.name,
            id_type=document.id_type,
            id_number=document.number,
            as_policyholder=own.policy.policy_no or "",
            as_insured=role.policy.policy_no or "",
        )
    return None


@transaction.atomic
def demo_portal_account_ensure() -> DemoPortalCustomer | None:
    """Give the demo portal customer a portal account (once); ``None`` without one."""
    found = demo_portal_customer()
    if found is None:
        return None
    if not PortalAccount.objects.filter(customer_id=found.customer_id).exists():
        portal_password_set(
            principal=Customer(found.customer_id, "demo", purpose="demo"),
            password=DEMO_PORTAL_PASSWORD,
        )
    return found
