"""Evidence on a problem item (D1.13): checked by content, stored encrypted with its
SHA-256, read back only with a purpose (audited), refused when the stored file was touched,
and never deleted while the item exists."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db.models import ProtectedError

from tests.cases.conftest import PDF
from veracity.audit.models import Action, AuditEvent
from veracity.cases import services as cs
from veracity.cases.models import CaseStep, Evidence, ProblemItem
from veracity.cases.policy import CaseError
from veracity.core.evidence import MAX_BYTES
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db

#: A PDF whose text is personal data the file on disk must not show.
SECRET = "王小芳 110101198503141224 北京市东城区东长安街1号".encode()
SIGNED = b"%PDF-1.4\n" + SECRET + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def claimed(item, personas) -> ProblemItem:
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)
    item.refresh_from_db()
    return item


def _attach(item, user, *, data=SIGNED, filename="confirm.pdf", kind="customer_confirmation"):
    return cs.problem_item_attach(
        principal=Staff(user),
        item_id=item.pk,
        kind=kind,
        description="signed by the customer",
        filename=filename,
        data=data,
    )


def _stored(evidence: Evidence, settings):
    return settings.VERACITY_EVIDENCE_DIR / evidence.stored_as


def test_stored_encrypted_with_its_checksum(claimed, personas, settings):
    evidence = _attach(claimed, personas["carol"])
    assert (evidence.content_type, evidence.size, evidence.filename) == (
        "application/pdf",
        len(SIGNED),
        "confirm.pdf",
    )
    assert evidence.sha256 == hashlib.sha256(SIGNED).hexdigest()
    on_disk = _stored(evidence, settings).read_bytes()
    assert SECRET not in on_disk and b"%PDF" not in on_disk
    assert SECRET[:12] not in on_disk
    step = CaseStep.objects.get(item=claimed, action="evidence")
    assert step.detail == {
        "evidence": evidence.pk,
        "kind": "customer_confirmation",
        "sha256": evidence.sha256,
    }


def test_read_back_equal_and_audited_with_purpose(claimed, personas, settings):
    evidence = _attach(claimed, personas["carol"])
    before = AuditEvent.objects.count()
    got, data = cs.evidence_read(
        principal=with_purpose(Staff(personas["dave"]), "verify the confirmation"),
        evidence_id=evidence.pk,
    )
    assert (got.pk, data) == (evidence.pk, SIGNED)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_type, event.object_id, event.purpose) == (
        Action.VIEW_PERSONAL_DATA,
        "evidence",
        str(evidence.pk),
        "verify the confirmation",
    )
    assert json.loads(event.detail)["sha256"] == evidence.sha256


@pytest.mark.parametrize(
    ("username", "purpose", "code"),
    [
        ("dave", "", "purpose"),
        ("dave", "   ", "purpose"),
        ("alice", "curious", "not_found"),  # an agent never sees problem items
        ("audrey", "audit", "not_found"),
        ("george", "review", "not_found"),
    ],
)
def test_read_refused_without_purpose_or_sight(username, purpose, code, claimed, personas):
    evidence = _attach(claimed, personas["carol"])
    before = AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count()
    with pytest.raises(CaseError) as refused:
        cs.evidence_read(
            principal=with_purpose(Staff(personas[username]), purpose), evidence_id=evidence.pk
        )
    assert refused.value.code == code
    assert AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count() == before


def _flip_last_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def _swap_with_other_evidence(path, other):
    path.write_bytes(other.read_bytes())


def _reseal_other_content(path, stored_as):
    from veracity.db.fields import field_crypto

    forged = b"%PDF-1.4\nforged\n%%EOF\n"
    path.write_bytes(field_crypto().encrypt_bytes(forged, aad=f"evidence:{stored_as}"))


@pytest.mark.parametrize("tamper", ["flip", "swap", "reseal", "truncate", "plain"])
def test_tampered_file_refused(tamper, claimed, personas, settings):
    evidence = _attach(claimed, personas["carol"])
    other = _attach(claimed, personas["carol"], data=PDF, filename="other.pdf")
    path = _stored(evidence, settings)
    if tamper == "flip":
        _flip_last_byte(path)
    elif tamper == "swap":
        _swap_with_other_evidence(path, _stored(other, settings))
    elif tamper == "reseal":
        _reseal_other_content(path, evidence.stored_as)
    elif tamper == "truncate":
        path.write_bytes(path.read_bytes()[:20])
    else:
        path.write_bytes(SIGNED)  # the plaintext put back in place of the sealed file
    before = AuditEvent.objects.count()
    with pytest.raises(CaseError) as refused:
        cs.evidence_read(
            principal=with_purpose(Staff(personas["dave"]), "verify"), evidence_id=evidence.pk
        )
    assert (refused.value.code, refused.value.field) == ("tampered", "evidence")
    assert AuditEvent.objects.count() == before


def test_missing_file_refused(claimed, personas, settings):
    evidence = _attach(claimed, personas["carol"])
    _stored(evidence, settings).unlink()
    with pytest.raises(CaseError) as refused:
        cs.evidence_read(
            principal=with_purpose(Staff(personas["dave"]), "verify"), evidence_id=evidence.pk
        )
    assert refused.value.code == "missing"


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("confirm.pdf", b"", "empty"),
        ("confirm.pdf", SIGNED + b"\x00" * MAX_BYTES, "too_large"),
        ("confirm.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "type"),  # a renamed .exe
        ("confirm.jpg", SIGNED, "mismatch"),
        ("photo.jpg", PNG, "mismatch"),
    ],
)
def test_refused_files_leave_nothing(filename, data, code, claimed, personas, settings):
    before = (
        Evidence.objects.count(),
        CaseStep.objects.count(),
        AuditEvent.objects.count(),
        ProblemItem.objects.values().get(pk=claimed.pk),
    )
    with pytest.raises(CaseError) as refused:
        _attach(claimed, personas["carol"], data=data, filename=filename)
    assert (refused.value.code, refused.value.field) == (code, "file")
    assert refused.value.message_zh and refused.value.message_en
    after = (
        Evidence.objects.count(),
        CaseStep.objects.count(),
        AuditEvent.objects.count(),
        ProblemItem.objects.values().get(pk=claimed.pk),
    )
    assert after == before
    folder = settings.VERACITY_EVIDENCE_DIR
    assert not folder.exists() or not any(folder.iterdir())


def test_a_browser_path_is_reduced_to_the_name(claimed, personas):
    evidence = _attach(claimed, personas["carol"], filename="C:\\fakepath\\scan.pdf")
    assert evidence.filename == "scan.pdf"
    evidence = _attach(claimed, personas["carol"], filename="../../etc/report.pdf")
    assert evidence.filename == "report.pdf"


def test_customer_service_may_add_a_callback_record(claimed, personas):
    evidence = _attach(claimed, personas["sam"], kind="callback_record")
    assert evidence.uploaded_by == personas["sam"]


def test_evidence_is_never_deleted_with_its_item(claimed, personas):
    """PROTECT: an item with evidence cannot be deleted — open, and closed alike (the
    retention schedule decides when evidence goes)."""
    evidence = _attach(claimed, personas["carol"])
    with pytest.raises(ProtectedError):
        ProblemItem.objects.get(pk=claimed.pk).delete()
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=claimed.pk,
        outcome="explained",
        findings="married",
    )
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=claimed.pk)
    cs.problem_item_close(principal=Staff(personas["dave"]), item_id=claimed.pk)
    with pytest.raises(ProtectedError):
        ProblemItem.objects.get(pk=claimed.pk).delete()
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert ProblemItem.objects.filter(pk=claimed.pk).exists()
