"""Key rotation re-encrypts every value under the active key and loses nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import TODAY
from veracity.audit.services import Actor
from veracity.customers.models import Customer, IdentityDocument, Phone
from veracity.db.fields import reset_field_crypto
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db


def stored_key_ids() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM customers_phone UNION ALL "
            "SELECT number FROM customers_identitydocument"
        )
        return {value.split(":")[1] for (value,) in cursor.fetchall()}


def test_rotation_moves_everything_to_the_active_key(settings, application):
    settings.VERACITY_ACTIVE_KEY_ID = "k1"
    reset_field_crypto()
    try:
        applications_store([application], source="t", actor=Actor.system("t"), as_of=TODAY)
        assert stored_key_ids() == {"k1"}
        settings.VERACITY_ACTIVE_KEY_ID = "k2"
        reset_field_crypto()
        call_command("rotate_keys")
        assert stored_key_ids() == {"k2"}
        assert Phone.objects.get().number == "+8613800138000"
        holder = Customer.objects.get(name="王芳")
        doc = IdentityDocument.objects.get(customer=holder)
        assert doc.number == application["policyholder"]["id_number"]
    finally:
        reset_field_crypto()
