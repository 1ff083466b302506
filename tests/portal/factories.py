"""A small book for the portal tests: 王芳 is policyholder of P1 (her son insured, 李强 the
beneficiary, with his ID) and the insured of P2, whose policyholder is 李强."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.conftest import base_application, resident_id

TODAY = date(2026, 11, 26)
P1, P2, P3 = "P2026000001", "P2026000002", "P2026000003"  # P3: 张伟's alone
WANG_PHONE = "+8613800138000"
LI_ID = resident_id("110101", "1983-05-20", 113)
LI_PHONE = "13900139011"


@dataclass
class Book:
    wang: int
    li: int
    wang_id: str
    li_id: str


def applications() -> list[dict[str, Any]]:
    first = copy.deepcopy(base_application("A2026120001"))
    first["beneficiaries"] = [
        {
            "relation": "spouse",
            "name": "李强",
            "share": 100,
            "id_type": "resident_id",
            "id_number": LI_ID,
        }
    ]
    holder = first["policyholder"]
    second = copy.deepcopy(base_application("A2026120002"))
    second["policyholder"] = {
        "name": "李强",
        "sex": "M",
        "birth_date": "1983-05-20",
        "id_type": "resident_id",
        "id_number": LI_ID,
        "address": "北京市东城区东长安街1号",
        "phones": [LI_PHONE],
        "email": None,
    }
    second["insured"] = {
        "relation": "spouse",
        "name": holder["name"],
        "sex": holder["sex"],
        "birth_date": holder["birth_date"],
        "id_type": "resident_id",
        "id_number": holder["id_number"],
    }
    second["payer_account"] = {
        "number": "6222 0202 0000 7654 321",
        "holder_name": "李强",
        "holder_id_number": LI_ID,
    }
    from tests.web.factories import other_application

    return [first, second, other_application("A2026120003")]


def book() -> Book:
    """Store both applications, number the policies and give P1 a premium history."""
    from veracity.audit.services import Actor
    from veracity.customers.models import IdentityDocument
    from veracity.policies.models import Policy, PolicyEvent
    from veracity.policies.services import applications_store

    results = applications_store(
        applications(), source="test", actor=Actor.system("test"), as_of=TODAY
    )
    assert all(getattr(r, "policy", None) is not None for r in results), results
    for app_no, policy_no in (("A2026120001", P1), ("A2026120002", P2), ("A2026120003", P3)):
        Policy.objects.filter(application_no=app_no).update(
            policy_no=policy_no, status="in_force", effective_on=TODAY
        )
    p1 = Policy.objects.get(policy_no=P1)
    PolicyEvent.objects.create(
        event_id="E-P1-1",
        policy=p1,
        kind="premium_due",
        occurred_on=TODAY,
        data={"due_on": "2026-12-20", "amount": 1200, "period": 2},
        source="test",
    )
    wang_id = base_application()["policyholder"]["id_number"]

    def owner(number: str) -> int:
        from veracity.customers.services import id_key

        key = id_key("resident_id", number)
        assert key is not None
        return IdentityDocument.objects.get(number_bidx=key[2]).customer_id

    return Book(wang=owner(wang_id), li=owner(LI_ID), wang_id=wang_id, li_id=LI_ID)


def identity(b: Book, who: str = "wang", policy_no: str = P1) -> dict[str, str]:
    if who == "wang":
        return {
            "id_type": "resident_id",
            "id_number": b.wang_id,
            "name": "王芳",
            "policy_no": policy_no,
        }
    return {"id_type": "resident_id", "id_number": b.li_id, "name": "李强", "policy_no": policy_no}
