"""A small book for verified inquiry: 王芳 insures her son 李小明 on policy P2026000001 (and
her son is the beneficiary of 张伟's policy P2026000002), stored through the normal
application service, each given its policy number."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import TODAY, base_application, resident_id
from veracity.audit.services import Actor
from veracity.customers.models import Customer
from veracity.policies.models import Policy, PolicyRole, Role
from veracity.policies.services import applications_store

HOLDER_ID = resident_id("110101", "1985-03-14", 122)
CHILD_ID = resident_id("110101", "2015-06-01", 311)
ZHANG_ID = resident_id("110101", "1970-01-01", 135)
INSURED2_ID = resident_id("110101", "1998-02-02", 228)
STRANGER_ID = resident_id("110101", "1990-05-05", 217)


@dataclass
class Book:
    policy: Policy  # 王芳's, insuring 李小明
    other: Policy  # 张伟's; 李小明 its beneficiary
    wang: Customer
    son: Customer


def _store(app: dict) -> Policy:
    [result] = applications_store([app], source="test", actor=Actor.system("t"), as_of=TODAY)
    assert result.policy is not None
    return result.policy


def make_book() -> Book:
    first = _store(base_application("A2026110001"))
    app = base_application("A2026110002")
    app["policyholder"].update(
        {"name": "张伟", "sex": "M", "birth_date": "1970-01-01", "id_number": ZHANG_ID}
    )
    app["insured"].update(
        {"name": "张小红", "sex": "F", "birth_date": "1998-02-02", "id_number": INSURED2_ID}
    )
    app["payer_account"]["holder_name"] = "张伟"
    app["payer_account"]["holder_id_number"] = ZHANG_ID
    second = _store(app)
    Policy.objects.filter(pk=first.pk).update(policy_no="P2026000001")
    Policy.objects.filter(pk=second.pk).update(policy_no="P2026000002")
    first.refresh_from_db()
    second.refresh_from_db()
    wang = PolicyRole.objects.get(policy=first, role=Role.POLICYHOLDER).customer
    son = PolicyRole.objects.get(policy=first, role=Role.INSURED).customer
    PolicyRole.objects.create(
        policy=second, customer=son, role=Role.BENEFICIARY, name="李小明", position=9
    )
    return Book(policy=first, other=second, wang=wang, son=son)
