"""The detection rules on stored data, with the tricky cases of issue 3."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import TODAY, base_application, resident_id
from veracity.audit.services import Actor
from veracity.cases.models import ProblemItem
from veracity.conduct.models import Complaint
from veracity.customers.models import Customer, Phone
from veracity.customers.services import phone_key
from veracity.detection.models import PayerException
from veracity.detection.services import detection_run
from veracity.policies.models import Policy
from veracity.policies.services import applications_store
from veracity.sales.models import Seller
from veracity.sales.services import seller_upsert

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
_seq = itertools.count(100)


def person(name: str, birth: str, sex: str = "F", phones=("13900000000",), **extra):
    seq = next(_seq) * 2 + (1 if sex == "M" else 0)
    return {
        "name": name,
        "sex": sex,
        "birth_date": birth,
        "id_type": "resident_id",
        "id_number": resident_id("310101", birth, seq % 1000),
        "address": f"上海市{name}路1号",
        "phones": list(phones),
        **extra,
    }


def apply(no: str, holder: dict, *, insured=None, seller="AG1", payer=None):
    app = base_application(no)
    app["policyholder"] = holder
    app["insured"] = insured or {"relation": "self"}
    app["seller"] = {"code": seller, "agency_code": None}
    app["beneficiaries"] = []
    app["payer_account"] = payer or {
        "number": f"62220202{next(_seq):011d}",
        "holder_name": holder["name"],
        "holder_id_number": holder["id_number"],
    }
    [result] = applications_store([app], source="test", actor=ACTOR, as_of=TODAY)
    return result.policy


def run(day=TODAY, full=True):
    return detection_run(business_date=day, full=full, actor=ACTOR)


def items(rule):
    return [
        (i, sorted(set(i.members.values_list("customer__name", flat=True))))
        for i in ProblemItem.objects.filter(rule=rule, status="open")
    ]


def test_formatting_variants_of_one_phone_are_one_clue():
    apply("P1", person("甲", "1980-01-01", phones=["+86 138-0013-8000"]))
    apply("P2", person("乙", "1981-01-01", phones=["13800138000"]))
    apply("P3", person("丙", "1982-01-01", phones=["１３８００１３８０００"]))
    run()
    [(item, names)] = items("SHARED_PHONE")
    assert names == ["丙", "乙", "甲"]
    assert item.severity == "high"
    assert item.shared_value == "138****8000"
    assert "13800138000" not in item.reason_zh + item.reason_en


def test_one_person_with_two_records_is_not_a_clue():
    apply("P1", person("丁", "1980-02-02", phones=["13800000001"]))
    twin = Customer.objects.create(name="丁", sex="F", birth_date=date(1980, 2, 2))
    value, kind, bidx, valid = phone_key("138 0000 0001")
    Phone.objects.create(customer=twin, number=value, number_bidx=bidx, kind=kind, valid=valid)
    run()
    assert items("SHARED_PHONE") == []


def test_family_alone_is_not_a_clue_but_a_stranger_makes_it_one():
    mother = person("王芳", "1985-03-14", phones=["13811112222"])
    child = person("李小明", "2015-06-01", sex="M", phones=["13811112222"], relation="child")
    apply("F1", mother, insured=child)
    run(date(2026, 11, 24))
    assert items("SHARED_PHONE") == []
    apply("S1", person("陌生人", "1970-07-07", sex="M", phones=["138 1111 2222"]))
    run(date(2026, 11, 25), full=False)
    [(_, names)] = items("SHARED_PHONE")
    assert names == ["李小明", "王芳", "陌生人"]


def test_landline_shared_by_two_customers():
    apply("L1", person("赵", "1960-01-01", phones=["010-6552 9988"]))
    apply("L2", person("钱", "1961-01-01", sex="M", phones=["(010)65529988"]))
    run()
    [(item, names)] = items("SHARED_PHONE")
    assert names == ["赵", "钱"] or names == ["钱", "赵"]
    assert item.severity == "medium"


def test_agent_phone_on_six_customers():
    seller_upsert(
        {
            "code": "AG1",
            "kind": "agent",
            "name": "代理人甲",
            "phones": ["13955556666"],
            "qualified": True,
        },
        actor=ACTOR,
    )
    for i in range(6):
        apply(f"A{i}", person(f"客户{i}", f"197{i}-01-01", phones=["139 5555 6666"]))
    run()
    [(item, names)] = items("AGENT_CONTACT")
    assert len(names) == 6
    assert item.severity == "high" and "AG1" in item.reason_en
    assert item.evidence["own_seller"] is True


def test_third_party_payer_with_and_without_exception():
    other = person("付款人", "1950-05-05", sex="M")
    p1 = apply(
        "T1",
        person("投保人甲", "1990-01-01"),
        payer={
            "number": "6222020200009999001",
            "holder_name": other["name"],
            "holder_id_number": other["id_number"],
        },
    )
    p2 = apply(
        "T2",
        person("投保人乙", "1991-01-01"),
        payer={"number": "6222020200009999002", "holder_name": "另一付款人"},
    )
    apply("T3", person("投保人丙", "1992-01-01"))  # pays from own account
    user = get_user_model().objects.create(username="approver")
    PayerException.objects.create(
        policy=p2, reason="父亲为成年子女缴费", approved_by=user, approved_at=timezone.now()
    )
    run()
    flagged = {i.key for i, _ in items("THIRD_PARTY_PAYER")}
    assert flagged == {str(p1.pk)}


def test_repeat_misselling_lists_every_policy_of_the_seller():
    seller_upsert(
        {"code": "AG1", "kind": "agent", "name": "代理人甲", "qualified": True}, actor=ACTOR
    )
    seller = Seller.objects.get(code="AG1")
    for i in range(3):
        apply(f"M{i}", person(f"客户M{i}", f"198{i}-03-03", phones=[f"1370000000{i}"]))
    Complaint.objects.create(
        complaint_no="T1",
        seller=seller,
        category="misselling",
        received_on=date(2026, 3, 1),
        verified=True,
        verified_on=date(2026, 3, 1),
    )
    run(date(2026, 11, 20))
    assert items("REPEAT_MISSELLING") == []
    Complaint.objects.create(
        complaint_no="T2",
        seller=seller,
        category="misselling",
        received_on=date(2026, 10, 1),
        verified=True,
        verified_on=date(2026, 10, 1),
    )
    Complaint.objects.create(
        complaint_no="T3",
        seller=seller,
        category="misselling",
        received_on=date(2026, 10, 2),
        verified=False,
    )
    run(date(2026, 11, 23))
    [(item, names)] = items("REPEAT_MISSELLING")
    assert len(names) == 3
    assert item.members.values("policy").distinct().count() == Policy.objects.count()


def test_rerun_is_idempotent_and_new_members_join_the_open_item():
    apply("R1", person("孙", "1980-04-04", phones=["13600000001"]))
    apply("R2", person("李", "1981-04-04", phones=["13600000001"]))
    first = run(date(2026, 11, 24))
    again = run(date(2026, 11, 24))
    assert first.pk == again.pk and ProblemItem.objects.count() == 1
    apply("R3", person("周", "1982-04-04", phones=["136-0000-0001"]))
    run(date(2026, 11, 25), full=False)
    [(item, names)] = items("SHARED_PHONE")
    assert len(names) == 3 and ProblemItem.objects.count() == 1
    assert item.first_seen_on == date(2026, 11, 24) and item.last_seen_on == date(2026, 11, 25)
