"""Destroying a customer's personal data leaves no trace in any table — history included —
while the audit chain keeps verifying (D4.25, PIPL Art. 47)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from tests.retention.conftest import AS_OF, LONG_AGO, Book
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import audit_verify
from veracity.cases.models import ProblemItem, ProblemItemMember, RuleCode
from veracity.core.crypto import DecryptionError
from veracity.customers.models import (
    Address,
    BankAccount,
    Customer,
    Email,
    IdentityDocument,
    Phone,
)
from veracity.customers.services import phone_key
from veracity.db.fields import EncryptedTextField, field_crypto
from veracity.org.principals import Staff, system
from veracity.policies.models import GateCheck, Policy, PolicyRole
from veracity.retention import destruction
from veracity.retention.models import (
    DESTROYED_NAME,
    DestructionCertificate,
    DestructionItem,
    DestructionRequest,
    Outcome,
)
from veracity.retention.services import (
    destruction_request_approve,
    destruction_request_execute,
    destruction_request_submit,
    legal_hold_place,
)

pytestmark = pytest.mark.django_db
NEW_PHONE = "13900139000"


def approved(personas: dict[str, Any], customer_ids: list[int], **kw: Any) -> DestructionRequest:
    request = destruction_request_submit(
        principal=Staff(personas["admin"]),
        reason="retention period expired",
        customer_ids=customer_ids,
        as_of=AS_OF,
        **kw,
    )
    for name in ("ivan", "mona"):
        destruction_request_approve(request_id=request.pk, principal=Staff(personas[name]))
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.APPROVED
    return request


def execute(personas: dict[str, Any], request: DestructionRequest) -> DestructionCertificate:
    return destruction_request_execute(
        request_id=request.pk, principal=Staff(personas["ivan"]), as_of=AS_OF
    )


# --- the whole-database scan -----------------------------------------------------------------


def _aads() -> set[str]:
    return {
        f.aad
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField)
    }


def _forms(secret: str) -> set[str]:
    """The secret as stored in text and as JSON escapes it (``\\u738b`` …)."""
    return {secret, json.dumps(secret)[1:-1]}


def traces(secrets: set[str], blind: set[str]) -> list[str]:
    """Every place in every table of the database where a secret, one of its blind indexes,
    or a ciphertext decrypting to a secret is found."""
    crypto, aads = field_crypto(), _aads()
    needles = {form for s in secrets for form in _forms(s)} | blind
    found = []
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {q(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        text = value.decode(errors="ignore")
                    else:
                        text = value if isinstance(value, str) else repr(value)
                    hits = [n for n in needles if n in text]
                    if hits:
                        found.append(f"{table}: {hits}")
                    if isinstance(value, str) and value.startswith("v1:"):
                        for aad in aads:
                            try:
                                plain = crypto.decrypt(value, aad=aad)
                            except DecryptionError:
                                continue
                            if any(s in plain for s in secrets):
                                found.append(f"{table}: ciphertext of {plain!r} ({aad})")
    return found


def personal_values(book: Book) -> set[str]:
    app = book.application
    holder, insured = app["policyholder"], app["insured"]
    return {
        holder["name"],
        insured["name"],
        holder["id_number"],
        insured["id_number"],
        "13800138000",
        "+8613800138000",
        NEW_PHONE,
        "+86" + NEW_PHONE,
        "6222020200001234567",
        "东长安街",
        "wang.fang@example.com",
    }


def blind_indexes(customer_ids: list[int]) -> set[str]:
    out: set[str] = set()
    for model in (IdentityDocument, Phone, Address, Email, BankAccount):
        for m in (model, model.history.model):  # type: ignore[attr-defined]
            columns = [f.name for f in m._meta.concrete_fields if f.name.endswith("_bidx")]
            for row in m.objects.filter(customer_id__in=customer_ids).values_list(*columns):
                out.update(v for v in row if v)
    return out


def test_destruction_leaves_no_trace_anywhere(personas, book):
    wang, son = book.wang, book.son
    # The phone changes once: the history holds both numbers.
    phone = Phone.objects.get(customer=wang)
    value, _kind, bidx, _valid = phone_key(NEW_PHONE)  # type: ignore[misc]
    phone.number, phone.number_bidx = value, bidx
    phone.save()
    assert Phone.history.filter(customer_id=wang.pk).count() == 2
    # A closed problem item whose clue key is wang's (old) phone blind index.
    item = ProblemItem.objects.create(
        rule=RuleCode.SHARED_PHONE,
        key=Phone.history.filter(customer_id=wang.pk).earliest("history_date").number_bidx,
        status=ProblemItem.Status.CLOSED,
        severity="medium",
        reason_zh="共用手机号 138****8000",
        reason_en="shared phone 138****8000",
        first_seen_on=date(2015, 1, 5),
        last_seen_on=date(2015, 1, 5),
    )
    ProblemItemMember.objects.create(item=item, customer=wang, added_on=date(2015, 1, 5))
    ids = [wang.pk, son.pk]
    secrets, blind = personal_values(book), blind_indexes(ids)
    assert len(blind) >= 6
    before = traces(secrets, blind)
    # the scan is not vacuous: it finds the data while it is there (names, ciphertexts)
    assert any("customers_customer" in t for t in before)
    assert any("ciphertext" in t and "historicalphone" in t for t in before)
    assert any("detection_problemitem" in t for t in before)
    zhang_phone = Phone.objects.get(customer=book.zhang).number

    certificate = execute(personas, approved(personas, ids))

    assert traces(secrets, blind) == []
    assert audit_verify().ok
    # the customers remain, as markers; the policy remains without its payer account
    assert list(Customer.objects.filter(pk__in=ids).values_list("name", flat=True)) == [
        DESTROYED_NAME,
        DESTROYED_NAME,
    ]
    assert Customer.history.filter(id__in=ids).exclude(name=DESTROYED_NAME).count() == 0
    assert Policy.objects.get(pk=book.ended.pk).payer_account_id is None
    assert set(PolicyRole.objects.filter(customer_id__in=ids).values_list("name", flat=True)) == {
        ""
    }
    # the other customer is untouched
    book.zhang.refresh_from_db()
    assert book.zhang.name == "张伟"
    assert Phone.objects.get(customer=book.zhang).number == zhang_phone
    assert BankAccount.objects.filter(customer=book.zhang).count() == 1
    # the certificate says what, when, who and how
    assert certificate.customer_ids == sorted(ids)
    assert certificate.requested_by == personas["admin"]
    assert certificate.approved_by_information_manager == personas["ivan"]
    assert certificate.approved_by_customer_service_manager == personas["mona"]
    assert "history" in certificate.method
    assert certificate.counts["customers_phone"] == {"deleted": 1}
    assert certificate.counts["customers_historicalphone"]["overwritten"] == 3  # +, ~, -
    assert certificate.counts["customers_bankaccount"] == {"deleted": 1}
    assert certificate.counts["policies_policy"] == {"payer_account_unlinked": 1}
    assert certificate.counts["detection_problemitem"] == {"clue_key_removed": 1}
    assert certificate.counts["policies_gatecheck"] == {"digest_removed": 1}
    assert GateCheck.objects.get(policy=book.ended).digest == ""
    assert GateCheck.objects.get(policy=book.live).digest != ""
    event = AuditEvent.objects.get(action=Action.DESTRUCTION)
    assert event.seq == certificate.audit_seq
    assert event.object_id == str(certificate.pk)
    assert "王芳" not in event.detail


def test_second_execution_changes_nothing(personas, book):
    request = approved(personas, [book.wang.pk])
    first = execute(personas, request)
    events = AuditEvent.objects.count()
    second = execute(personas, request)
    assert second.pk == first.pk
    assert AuditEvent.objects.count() == events
    assert DestructionCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.DESTRUCTION).count() == 1


def test_a_failure_midway_leaves_everything_as_it_was(personas, book, monkeypatch):
    request = approved(personas, [book.wang.pk, book.son.pk])
    events = AuditEvent.objects.count()

    def boom(ids):
        raise RuntimeError("disk full")

    monkeypatch.setattr(destruction, "problem_items_destroy", boom)
    with pytest.raises(RuntimeError):
        execute(personas, request)
    book.wang.refresh_from_db()
    assert book.wang.name == "王芳"
    assert Phone.objects.filter(customer=book.wang).count() == 1
    assert Policy.objects.get(pk=book.ended.pk).payer_account_id is not None
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.APPROVED
    assert not DestructionCertificate.objects.exists()
    assert set(request.items.values_list("outcome", flat=True)) == {Outcome.PENDING}
    assert AuditEvent.objects.count() == events


def test_a_hold_placed_after_approval_keeps_the_file(personas, book):
    request = approved(personas, [book.wang.pk, book.son.pk])
    legal_hold_place(customer_id=book.son.pk, reason="诉讼保全", principal=Staff(personas["mona"]))
    certificate = execute(personas, request)
    assert certificate.customer_ids == [book.wang.pk]
    assert certificate.kept == [
        {"kind": "customer", "id": book.son.pk, "label": book.son.archive_no, "outcome": "held"}
    ]
    book.son.refresh_from_db()
    assert book.son.name == "李小明"
    assert IdentityDocument.objects.filter(customer=book.son).exists()
    assert DestructionItem.objects.get(object_id=book.son.pk).outcome == Outcome.HELD


def test_a_period_lengthened_after_approval_keeps_the_file(personas, book):
    from veracity.retention.services import retention_rule_set

    request = approved(personas, [book.wang.pk])
    retention_rule_set(record_class="customer_policies_ended", years=30, principal=system("t"))
    certificate = execute(personas, request)
    assert certificate.customer_ids == []
    assert certificate.kept[0]["outcome"] == Outcome.NOT_DUE
    book.wang.refresh_from_db()
    assert book.wang.name == "王芳"


def test_closed_problem_items_past_retention_are_deleted(personas, rules, book):
    item = ProblemItem.objects.create(
        rule=RuleCode.MANUAL,
        key="manual:1",
        status=ProblemItem.Status.CLOSED,
        severity="low",
        reason_zh="人工添加",
        reason_en="added by staff",
        first_seen_on=date(2015, 1, 5),
        last_seen_on=date(2015, 1, 5),
    )
    ProblemItemMember.objects.create(item=item, customer=book.zhang, added_on=date(2015, 1, 5))
    ProblemItem.objects.filter(pk=item.pk).update(updated_at=LONG_AGO)
    request = destruction_request_submit(
        principal=Staff(personas["admin"]),
        reason="retention period expired",
        problem_item_ids=[item.pk],
        as_of=AS_OF,
    )
    for name in ("mona", "ivan"):
        destruction_request_approve(request_id=request.pk, principal=Staff(personas[name]))
    certificate = execute(personas, request)
    assert certificate.problem_item_ids == [item.pk]
    assert certificate.counts == {
        "detection_problemitem": {"deleted": 1},
        "detection_problemitemmember": {"deleted": 1},
    }
    assert not ProblemItem.objects.filter(pk=item.pk).exists()
    book.zhang.refresh_from_db()
    assert book.zhang.name == "张伟"  # the member's own file is not touched
    assert audit_verify().ok


def test_every_customer_table_with_personal_data_is_in_the_plan():
    """A new model naming a customer and holding encrypted values or blind indexes must be
    added to ``destruction.plan()`` (else destruction would leave it behind)."""
    planned = {step.model for step in destruction.plan()}
    planned |= {m for step in destruction.plan() for m in step.models()}
    missing = []
    for model in apps.get_models():
        names_customer = (
            any(f.is_relation and f.related_model is Customer for f in model._meta.concrete_fields)
            or model is Customer
        )
        personal = destruction.personal_columns(model)
        if names_customer and personal and model not in planned:
            missing.append(model._meta.label)
    assert missing == []


def test_a_destroyed_customer_leaves_no_submitted_identity_change(personas, book):
    """The other names and birth dates submitted for the customer's documents go too."""
    from veracity.customers.models import IdentityChange

    IdentityChange.objects.create(
        customer=book.wang,
        application_no="A1",
        role="policyholder",
        name="王芳芳",
        birth_date=date(1985, 3, 15),
        on_file={"name": "王芳"},
    )
    certificate = execute(personas, approved(personas, [book.wang.pk]))
    assert not IdentityChange.objects.filter(customer=book.wang).exists()
    assert certificate.counts[IdentityChange._meta.db_table] == {"deleted": 1}


# --- the investigation of a problem item (issue 4) ---------------------------------------------


def _closed_case(book: Book, personas: dict[str, Any], tmp_path: Any) -> tuple[ProblemItem, Any]:
    """A closed item on 王芳 with a sealed corrected value, an evidence file and an
    escalation against a seller."""
    from veracity.cases.models import Escalation, Evidence
    from veracity.sales.models import Seller

    item = ProblemItem.objects.create(
        rule=RuleCode.MANUAL,
        key="manual:2",
        status=ProblemItem.Status.CLOSED,
        stage="closed",
        severity="low",
        reason_zh="人工添加",
        reason_en="added by staff",
        first_seen_on=date(2015, 1, 5),
        last_seen_on=date(2015, 1, 5),
        correction={
            "changes": [
                {
                    "customer_id": book.wang.pk,
                    "field": "phone",
                    "record_id": 1,
                    "value": "139****9000",
                    "sealed": field_crypto().encrypt(
                        NEW_PHONE, aad=f"detection_problemitem.correction:{0}"
                    ),
                }
            ]
        },
    )
    ProblemItemMember.objects.create(item=item, customer=book.wang, added_on=date(2015, 1, 5))
    ProblemItem.objects.filter(pk=item.pk).update(updated_at=LONG_AGO)
    (tmp_path / "evidence").mkdir(exist_ok=True)
    stored = tmp_path / "evidence" / "e1.bin"
    stored.write_bytes(b"sealed scan")
    Evidence.objects.create(
        item=item,
        kind="customer_confirmation",
        description="signed",
        filename="c.pdf",
        content_type="application/pdf",
        size=11,
        sha256="0" * 64,
        stored_as="e1.bin",
        uploaded_by=personas["carol"],
        uploaded_at=LONG_AGO,
    )
    seller = Seller.objects.create(code="AGX", kind="agent", name="x")
    Escalation.objects.create(
        item=item, seller=seller, reason="r", escalated_by=personas["dave"], escalated_at=LONG_AGO
    )
    return item, stored


def test_a_destroyed_customer_leaves_no_sealed_correction_or_evidence(
    personas, book, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    item, stored = _closed_case(book, personas, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = execute(personas, approved(personas, [book.wang.pk]))
    item.refresh_from_db()
    assert "sealed" not in json.dumps(item.correction)
    assert item.correction["changes"][0]["value"] == "139****9000"  # the masked copy stays
    assert certificate.counts["cases_evidence"] == {"deleted": 1}
    assert not stored.exists()


def test_a_destroyed_problem_item_takes_its_evidence_and_leaves_the_escalation(
    personas, book, settings, tmp_path, django_capture_on_commit_callbacks
):
    from veracity.cases.models import CaseStep, Escalation

    settings.VAR_DIR = tmp_path
    item, stored = _closed_case(book, personas, tmp_path)
    CaseStep.objects.create(item=item, action="close", at=LONG_AGO)
    request = destruction_request_submit(
        principal=Staff(personas["admin"]),
        reason="retention period expired",
        problem_item_ids=[item.pk],
        as_of=AS_OF,
    )
    for name in ("mona", "ivan"):
        destruction_request_approve(request_id=request.pk, principal=Staff(personas[name]))
    with django_capture_on_commit_callbacks(execute=True):
        execute(personas, request)
    assert not ProblemItem.objects.filter(pk=item.pk).exists()
    assert not stored.exists()
    assert not CaseStep.objects.filter(item_id=item.pk).exists()
    assert Escalation.objects.get().item is None  # still against the seller
