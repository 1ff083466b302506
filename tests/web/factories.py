"""Data for the UI and selector tests: a seller linked to alice, stored applications."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import base_application, resident_id
from tests.sales.factories import qualify
from veracity.audit.services import Actor
from veracity.policies.models import Policy
from veracity.policies.services import applications_store
from veracity.sales.models import Seller, SellerKind

AS_OF = date(2026, 11, 26)
HOLDER_PHONE = "13800138000"  # stored as +8613800138000; typed as "138 0013 8000"
HOLDER_ACCOUNT = "6222020200001234567"


def seller_for(user: Any, code: str = "AG00017") -> Seller:
    seller, _ = Seller.objects.get_or_create(
        code=code, defaults={"kind": SellerKind.AGENT, "name": "李爱丽", "qualified": True}
    )
    seller.user = user
    seller.save()
    return qualify(seller)


def store(*payloads: dict[str, Any]) -> list[Policy]:
    results = applications_store(
        list(payloads), source="ui", actor=Actor.system("test"), as_of=AS_OF
    )
    return [r.policy for r in results]  # type: ignore[union-attr]


def other_application(no: str = "A2026110099") -> dict[str, Any]:
    """An application sold by another agent, policyholder 张伟 with his own phone."""
    app = base_application(no)
    app["seller"] = {"code": "AG00099", "agency_code": None}
    app["policyholder"].update(
        name="张伟",
        sex="M",
        birth_date="1979-08-02",
        id_number=resident_id("310101", "1979-08-02", 135),
        phones=["139 1234 5678"],
        address="上海市黄浦区中山东一路2号",
    )
    app["insured"] = {"relation": "self"}
    app["payer_account"] = {
        "number": "6217 0000 1000 0000 009",
        "holder_name": "张伟",
        "holder_id_number": app["policyholder"]["id_number"],
    }
    return app


def failing_application(no: str = "A2026110050") -> dict[str, Any]:
    """Policyholder phone and address missing: the gate refuses it."""
    app = base_application(no)
    app["policyholder"]["phones"] = []
    app["policyholder"]["address"] = ""
    return app
