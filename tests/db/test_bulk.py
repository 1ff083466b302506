"""``veracity.db.bulk``: rows as tuples, history rows alongside, encrypted per column."""

from __future__ import annotations

import pytest

from veracity.customers.models import Customer, Phone
from veracity.db.bulk import any_of, bulk_insert, insert_rows, select

pytestmark = pytest.mark.django_db


def test_insert_rows_writes_rows_defaults_and_history():
    [customer] = bulk_insert(Customer, [Customer(name="王芳", sex="F")])
    pks = insert_rows(
        Phone,
        ("customer_id", "number", "number_bidx"),
        [(customer.pk, "+8613800138000", "b1"), (customer.pk, "+8613900139000", "b2")],
    )
    phones = {p.pk: p for p in Phone.objects.all()}
    assert set(phones) == set(pks)
    first = phones[pks[0]]
    assert first.number == "+8613800138000"  # encrypted with the column's AAD, decrypts
    assert first.kind == "mobile" and first.valid and first.created_at is not None
    history = Phone.history.filter(id=pks[0]).get()
    assert history.history_type == "+"
    assert history.number == "+8613800138000"  # encrypted anew for the history column
    assert history.created_at == first.created_at


def test_bulk_insert_stamps_one_time_and_writes_history():
    rows = bulk_insert(Customer, [Customer(name="甲"), Customer(name="乙")])
    assert rows[0].created_at == rows[1].created_at
    assert Customer.history.filter(history_type="+").count() == 2


def test_any_of_selects_by_many_values():
    [customer] = bulk_insert(Customer, [Customer(name="王芳")])
    insert_rows(Phone, ("customer_id", "number", "number_bidx"), [(customer.pk, "1", "x")])
    table = Phone._meta.db_table
    found = select(
        f"SELECT customer_id, number_bidx FROM {table}", [any_of("number_bidx", ["x", "y"])]
    )
    assert found == [(customer.pk, "x")]
    assert select(f"SELECT id FROM {table}", [any_of("number_bidx", [])]) == []
