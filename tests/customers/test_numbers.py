"""The file number (档案号) as people type it names one customer."""

from __future__ import annotations

import pytest

from tests.web.factories import other_application, store
from veracity.customers.models import Customer
from veracity.customers.numbers import customer_id, ids_by_number, normalise, numbers_of


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("C0000000010", "C0000000010"),
        ("c10", "C0000000010"),
        (" C 000 000 0010 ", "C0000000010"),
        ("Ｃ００１０", "C0000000010"),
        ("10", "C0000000010"),
        ("", None),
        (None, None),
        ("C", None),
        ("X0000000010", None),
        ("C12345678901", None),
        ("李桂芝", None),
        ("²", None),
        ("C⑩", None),
        ("Ｃ　１０", "C0000000010"),
    ],
)
def test_normalise_forgives_how_people_type(typed, canonical):
    assert normalise(typed) == canonical


@pytest.mark.django_db
def test_numbers_and_ids_round_trip():
    store(other_application())
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None and customer.archive_no
    assert customer_id(customer.archive_no.lower()) == customer.pk
    assert ids_by_number([customer.archive_no, "C9999999999"]) == {customer.archive_no: customer.pk}
    assert numbers_of([customer.pk]) == {customer.pk: customer.archive_no}
    assert customer_id("C9999999999") is None
