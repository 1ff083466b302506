"""Another name, sex or birth date for an ID number already on file is never overwritten
silently (D1.6, issue 10 point 7): the customer keeps its values, the submission's are
recorded as an identity change, the application's check says IDENTITY_CHANGED (blocking
automatic underwriting) and customer service gets a problem item."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import TODAY, resident_id
from veracity.audit.services import Actor
from veracity.cases.models import ProblemItem, ProblemItemMember
from veracity.customers.models import Customer, IdentityChange, IdentityDocument
from veracity.detection.services import detection_recheck, detection_run
from veracity.policies.models import GateCheck, Policy
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
PASSPORT = {"policyholder__id_type": "passport", "policyholder__id_number": "E12345678"}
ON_FILE = {"name": "王芳", "sex": "F", "birth_date": "1985-03-14"}


def store(*apps):
    return applications_store(list(apps), source="test", actor=ACTOR, as_of=TODAY)


def holder(app) -> Customer:
    number = app["policyholder"]["id_number"]
    return next(
        d.customer
        for d in IdentityDocument.objects.select_related("customer")
        if d.number == number
    )


def codes(result) -> list[str]:
    return [f.code for f in result.verdict.findings]


@pytest.mark.parametrize(
    ("changes", "changed"),
    [
        ({"policyholder__name": "李芳"}, {"name"}),
        # against the ID number too: the gate's own finding, and the register is kept
        ({"policyholder__sex": "M"}, {"sex"}),
        ({"policyholder__birth_date": "1985-03-15"}, {"birth_date"}),
        ({"policyholder__name": "李芳", "policyholder__sex": "M"}, {"name", "sex"}),
        # a passport number states no facts: the register still is not overwritten
        ({**PASSPORT, "policyholder__sex": "M"}, {"sex"}),
        # the same values, spelled otherwise: nothing
        ({"policyholder__sex": "女"}, set()),
        ({"policyholder__name": " 王芳 "}, set()),
        ({}, set()),
    ],
)
def test_another_identity_for_a_number_on_file(
    make_application, personas, client, changes, changed
):
    document = {k: v for k, v in changes.items() if k in PASSPORT}
    first = make_application("A1", **document)
    [created] = store(first)
    customer = holder(first)
    before = (customer.name, customer.sex, str(customer.birth_date), customer.history.count())

    second = make_application("A2", **changes)
    [result] = store(second)

    customer.refresh_from_db()
    assert (customer.name, customer.sex, str(customer.birth_date), customer.history.count()) == (
        before
    ), "the customer file is unchanged"
    assert holder(second) == customer
    flagged = {
        f.field.split(".")[-1] for f in result.verdict.findings if f.code == "IDENTITY_CHANGED"
    }
    assert flagged == changed
    recorded = list(IdentityChange.objects.filter(customer=customer))
    check = GateCheck.objects.get(policy=result.policy)
    if not changed:
        assert not recorded and "IDENTITY_CHANGED" not in codes(result)
        assert result.verdict.verdict == created.verdict.verdict
        detection_recheck(customer_ids=[customer.pk], business_date=TODAY)
        assert not ProblemItem.objects.filter(rule="IDENTITY_CHANGED").exists()
        return
    # the change is recorded, with what the file holds and where it was submitted
    [change] = recorded
    assert (change.application_no, change.role) == ("A2", "policyholder")
    submitted = {f: getattr(change, f) for f in ("name", "sex", "birth_date") if getattr(change, f)}
    assert set(submitted) == changed
    assert change.on_file == {f: ON_FILE[f] for f in changed}
    # the finding is on the stored check and blocks automatic underwriting
    assert result.verdict.verdict == "fail" and result.policy.status == "blocked"
    stored = [f for f in check.findings if f["code"] == "IDENTITY_CHANGED"]
    assert {f["field"] for f in stored} == {f"policyholder.{f}" for f in changed}
    assert all("客户档案未作修改" in f["message_zh"] for f in stored)
    assert all("王芳" not in f["message_zh"] and "李芳" not in f["message_zh"] for f in stored)
    assert "IDENTITY_CHANGED" in {i["code"] for i in result.supplement_request.items}

    # customer service gets a clue on the customer and the policy of that submission
    detection_recheck(customer_ids=[customer.pk], business_date=TODAY)
    item = ProblemItem.objects.get(rule="IDENTITY_CHANGED")
    assert item.key == str(customer.pk) and item.status == "open"
    assert set(ProblemItemMember.objects.filter(item=item).values_list("customer", "policy")) == {
        (customer.pk, result.policy.pk)
    }
    assert "同一证件号码" in item.reason_zh
    client.force_login(personas["sam"])
    body = client.get("/problems/queue/").content.decode()
    assert f'id="item-{item.pk}"' in body
    assert "同一证件号码提交了不同的姓名、性别或出生日期" in body
    assert ">IDENTITY_CHANGED" not in body  # no code as words (an option value is fine)

    # the same submission again records nothing more
    second["applied_on"] = "2026-11-25"  # not identical, so it is stored again
    [again] = store(second)
    assert again.outcome == "updated" and "IDENTITY_CHANGED" in codes(again)
    assert IdentityChange.objects.filter(customer=customer).count() == 1


def test_a_fact_missing_or_against_the_number_on_file_is_taken(make_application):
    """Not an identity change: the register lacked the fact, or held one its own ID number
    contradicts and the submission agrees with the number (a corrected typo)."""
    store(make_application("A1", policyholder__sex=None, policyholder__birth_date="1985-03-15"))
    customer = Customer.objects.get(name="王芳")
    assert (customer.sex, str(customer.birth_date)) == ("", "1985-03-15")
    [result] = store(make_application("A2"))
    customer.refresh_from_db()
    assert (customer.sex, str(customer.birth_date)) == ("F", "1985-03-14")
    assert "1985-03-15" in {str(h.birth_date) for h in customer.history.all()}
    assert "IDENTITY_CHANGED" not in codes(result) and not IdentityChange.objects.exists()


def test_within_one_batch_the_first_submission_makes_the_file(make_application):
    results = store(make_application("A1"), make_application("A2", policyholder__name="李芳"))
    assert Customer.objects.filter(name="王芳").count() == 1
    assert not Customer.objects.filter(name="李芳").exists()
    assert ["IDENTITY_CHANGED" in codes(r) for r in results] == [False, True]
    assert IdentityChange.objects.get().application_no == "A2"


def test_a_beneficiary_and_the_daily_run(make_application):
    """A beneficiary's document counts too; the daily run raises the clue once, and a new
    change after its investigation closed raises it again."""
    bene_id = resident_id("110101", "1960-01-01", 13)
    bene = {"relation": "parent", "name": "李强", "id_number": bene_id, "share": 100}
    store(make_application("A1", beneficiaries=[bene]))
    [result] = store(make_application("A2", beneficiaries=[{**bene, "name": "李墙"}]))
    assert [f.field for f in result.verdict.findings if f.code == "IDENTITY_CHANGED"] == [
        "beneficiaries[0].name"
    ]
    assert "受益人1姓名" in next(
        f.message_zh for f in result.verdict.findings if f.code == "IDENTITY_CHANGED"
    )
    run = detection_run(business_date=TODAY, full=True, actor=ACTOR)
    assert run.counts["IDENTITY_CHANGED"]["opened"] == 1
    item = ProblemItem.objects.get(rule="IDENTITY_CHANGED")
    assert item.severity == "high"
    ProblemItem.objects.filter(pk=item.pk).update(
        status="closed", stage="closed", updated_at=timezone.now()
    )
    assert (
        detection_recheck(customer_ids=[int(item.key)], business_date=TODAY)["IDENTITY_CHANGED"]
        == []
    )
    store(make_application("A3", beneficiaries=[{**bene, "name": "李蔷"}]))
    clues = detection_recheck(customer_ids=[int(item.key)], business_date=TODAY)
    assert [c.evidence["submissions"] for c in clues["IDENTITY_CHANGED"]] == [1]
    assert Policy.objects.count() == 3
