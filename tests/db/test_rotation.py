"""``encrypted_fields_rotate`` re-encrypts and counts; the ``rotate_keys`` command records it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.conftest import TODAY
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.db.fields import reset_field_crypto
from veracity.db.rotation import encrypted_fields_rotate
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_k1_then_k2(settings, application):
    """One application stored under k1, then k2 made the active key."""
    settings.VERACITY_ACTIVE_KEY_ID = "k1"
    reset_field_crypto()
    applications_store([application], source="t", actor=Actor.system("t"), as_of=TODAY)
    settings.VERACITY_ACTIVE_KEY_ID = "k2"
    reset_field_crypto()
    yield
    reset_field_crypto()


def rotations() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.KEY_ROTATION))


def test_rotation_counts_per_column_and_writes_no_audit_event(under_k1_then_k2):
    counts = encrypted_fields_rotate(batch_size=1)
    assert counts["customers_phone.number"] == 1
    assert counts["customers_identitydocument.number"] >= 2  # policyholder and insured
    assert all(n >= 0 for n in counts.values())
    assert rotations() == []  # the caller records it: veracity.db sits below the audit app
    assert set(encrypted_fields_rotate().values()) == {0}  # nothing left under k1


def test_the_command_records_the_rotation_in_the_audit_trail(under_k1_then_k2, capsys):
    call_command("rotate_keys")
    printed = json.loads(capsys.readouterr().out)
    [event] = rotations()
    assert json.loads(event.detail) == {"reencrypted": sum(printed.values())}
    assert sum(printed.values()) > 0
