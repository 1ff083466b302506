"""SD-2: a customer's contact equal to a seller's registered relative's (亲属)."""

from __future__ import annotations

import pytest

from tests.detection.test_rules import ACTOR, apply, items, person, run
from veracity.core.detection import Person, SellerRef, agent_contact_clue
from veracity.sales.models import Seller, SellerContact, SellerRelative
from veracity.sales.services import seller_upsert

pytestmark = pytest.mark.django_db


def _seller(code: str, relatives: list[dict]) -> Seller:
    seller_upsert(
        {"code": code, "kind": "agent", "name": f"代理人{code}", "relatives": relatives},
        actor=ACTOR,
    )
    return Seller.objects.get(code=code)


def test_relatives_are_stored_with_encrypted_contacts_and_imported_once():
    rel = [
        {
            "name": "王配偶",
            "relation": "配偶",
            "phones": ["13911112222"],
            "address": "上海市静安路9号",
        }
    ]
    seller = _seller("AG1", rel)
    relative = SellerRelative.objects.get(seller=seller)
    assert relative.relation == "配偶"
    contacts = SellerContact.objects.filter(relative=relative)
    assert sorted(contacts.values_list("kind", flat=True)) == ["address", "phone"]
    assert all(c.value_bidx for c in contacts)
    _seller("AG1", rel)  # again: nothing new
    assert SellerContact.objects.filter(seller=seller).count() == 2


def test_a_relatives_phone_on_the_sellers_own_customer_is_high_and_named():
    _seller("AG1", [{"name": "王配偶", "relation": "配偶", "phones": ["13911112222"]}])
    apply("R1", person("客户甲", "1980-01-01", phones=["139 1111 2222"]), seller="AG1")
    run()
    [(item, names)] = items("AGENT_CONTACT")
    assert names == ["客户甲"]
    assert item.severity == "high"
    assert "亲属" in item.reason_zh and "配偶" in item.reason_zh
    assert "relative" in item.reason_en
    assert item.evidence["relatives"] == [{"seller": "AG1", "relation": "配偶"}]


def test_another_sellers_relative_is_medium():
    _seller("AG1", [])
    _seller("AG2", [{"name": "李父", "relation": "父亲", "phones": ["13933334444"]}])
    apply("R2", person("客户乙", "1981-01-01", phones=["13933334444"]), seller="AG1")
    run()
    [(item, _)] = items("AGENT_CONTACT")
    assert item.severity == "medium" and "父亲" in item.reason_zh


def test_incremental_finds_a_relative_added_later_as_a_full_run_does():
    _seller("AG1", [])
    apply("R3", person("客户丙", "1982-01-01", phones=["13955557777"]), seller="AG1")
    run()
    assert items("AGENT_CONTACT") == []
    _seller("AG1", [{"name": "张子", "relation": "子女", "phones": ["13955557777"]}])
    run(full=False)
    [(item, _)] = items("AGENT_CONTACT")
    assert "子女" in item.reason_zh


def test_the_clue_rule_in_the_core():
    people = [Person(customer_id=1, identity="x", policies=frozenset({10}))]
    own = SellerRef(5, "AG5", "agent")
    kin = SellerRef(5, "AG5", "agent", relation="配偶")
    clue = agent_contact_clue("k", "phone", people, [own, kin], sold_by={1: frozenset({5})})
    assert clue is not None and clue.severity == "high"
    assert "AG5" in clue.reason_zh and "配偶" in clue.reason_zh
    only_own = agent_contact_clue("k", "phone", people, [own], sold_by={})
    assert only_own is not None and "亲属" not in only_own.reason_zh
    assert "relatives" not in only_own.evidence
