"""Is this person a party of this policy? The one matching rule of every verification (IQ-1):
the staff desk on phone and counter, ``POST /api/v1/inquiries/verify``, and the portal's
registration.

A person is a party when the stated name and ID number are those of a party of the policy in
the stated role (or, with no role, in any role; the first role found in the order
policyholder, insured, beneficiary is the answer). The ID number is compared through its blind
index, never decrypted; the name after Unicode normalisation, without spaces, case-folded.
Nothing here says *why* a match failed: an unknown policy, a wrong name and a wrong number all
give ``None``, so no answer tells an inquirer which part was right.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from veracity.customers.services import id_key
from veracity.policies.models import Policy, PolicyRole, Role

ROLE_ORDER = (Role.POLICYHOLDER, Role.INSURED, Role.BENEFICIARY)


@dataclass(frozen=True, slots=True)
class PartyMatch:
    policy: Policy
    role: str
    customer_id: int


def same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s or "").split()).casefold()

    return bool(norm(a)) and norm(a) == norm(b)


def party_match(
    *, policy_no: str, name: str, id_type: str, id_number: str, role: str | None = None
) -> PartyMatch | None:
    """The party of policy ``policy_no`` that ``name`` + ID document are, in ``role`` (any
    role when ``None``), or ``None``."""
    key = id_key(id_type or "", id_number or "")
    if key is None or not policy_no:
        return None
    # One query whether or not the policy exists (an unknown policy costs what wrong data
    # costs): the parties of the stated policy who hold the stated document. Plain values,
    # no ordering: this runs for every call of the call centre's system.
    rows = PolicyRole.objects.filter(
        policy__policy_no=policy_no,
        customer__documents__id_type=key[0],
        customer__documents__number_bidx=key[2],
    ).order_by()
    if role:
        rows = rows.filter(role=role)
    found = sorted(
        rows.values_list("role", "customer_id", "customer__name", "name", "policy_id"),
        key=lambda r: ROLE_ORDER.index(Role(r[0])),
    )
    for party_role, customer_id, customer_name, stated_name, policy_id in found:
        if customer_id is not None and same_name(name, customer_name or stated_name):
            policy = Policy.objects.select_related("product").get(pk=policy_id)
            return PartyMatch(policy=policy, role=party_role, customer_id=customer_id)
    return None


def policies_of(customer_id: int) -> list[tuple[Policy, str]]:
    """Every policy (with a policy number) the customer is a party of, with the role."""
    rows = (
        PolicyRole.objects.filter(customer_id=customer_id, policy__policy_no__isnull=False)
        .select_related("policy", "policy__product")
        .order_by("policy__policy_no", "role")
    )
    return [(r.policy, r.role) for r in rows]
