"""What the signed-in customer reads on the portal: their own policies in each role, one
policy scoped to their role in it, their contact change requests. Only ever the customer's
own: a policy they are not a party of is not found, exactly like an unknown one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from veracity.inquiry.parties import ROLE_ORDER, policies_of
from veracity.policies.models import Policy, PolicyRole, Role
from veracity.policies.service_facts import SECTIONS, ServiceFacts, policy_service_facts
from veracity.portal.models import ContactChangeRequest
from veracity.portal.refusals import PortalError


@dataclass(frozen=True, slots=True)
class PolicyLine:
    """One policy on the customer's home page: the policy, the customer's role, the premium
    status at a glance (empty for a beneficiary, who is not told the premiums)."""

    policy: Policy
    role: str
    premium_status: str
    facts: ServiceFacts


def _best_role(roles: set[str]) -> str:
    """The role that is told the most when one customer holds several in one policy (the
    policyholder who is also the insured)."""
    return min(roles, key=lambda r: ROLE_ORDER.index(Role(r)))


def customer_policies(*, customer_id: int, as_of: dt.date) -> list[PolicyLine]:
    """Every numbered policy the customer is a party of, once, in their most-told role."""
    roles: dict[int, set[str]] = {}
    policies: dict[int, Policy] = {}
    for policy, role in policies_of(customer_id):
        roles.setdefault(policy.pk, set()).add(role)
        policies[policy.pk] = policy
    out = []
    for pk, policy in sorted(policies.items(), key=lambda kv: kv[1].policy_no or ""):
        role = _best_role(roles[pk])
        facts = policy_service_facts(policy, role=role, as_of=as_of)
        out.append(PolicyLine(policy, role, facts.premium_status, facts))
    return out


def customer_policy(
    *, customer_id: int, policy_no: str, as_of: dt.date
) -> tuple[Policy, ServiceFacts]:
    """The policy ``policy_no`` as the customer's role in it may be told it; not found alike
    for an unknown policy and one the customer is no party of."""
    roles = set(
        PolicyRole.objects.filter(
            customer_id=customer_id, policy__policy_no=str(policy_no)[:40]
        ).values_list("role", flat=True)
    )
    roles &= set(SECTIONS)
    if not roles or len(str(policy_no)) > 40:
        raise PortalError("not_found", "policy_no")
    policy = Policy.objects.select_related("product", "payer_account").get(policy_no=policy_no)
    return policy, policy_service_facts(policy, role=_best_role(roles), as_of=as_of)


def customer_change_requests(*, customer_id: int) -> QuerySet[ContactChangeRequest]:
    return ContactChangeRequest.objects.filter(customer_id=customer_id).order_by("-requested_at")


def pending_change_requests() -> QuerySet[ContactChangeRequest]:
    """The reported contact changes customer service has still to verify, oldest first."""
    return (
        ContactChangeRequest.objects.filter(status="pending")
        .select_related("customer")
        .order_by("requested_at", "pk")
    )


def decided_change_requests(limit: int = 50) -> list[ContactChangeRequest]:
    return list(
        ContactChangeRequest.objects.exclude(status="pending")
        .select_related("customer", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )
