"""Customers and helpers for the incident tests."""

from __future__ import annotations

import pytest

from veracity.org.principals import Staff


@pytest.fixture
def customers(db):
    from veracity.customers.models import Customer

    return [
        Customer.objects.create(name=name, archive_no=f"KH{n:06d}")
        for n, name in enumerate(["王芳", "李强", "张伟"], start=1)
    ]


@pytest.fixture
def principal_of():
    def make(user):
        return Staff(user, address="10.0.0.1")

    return make
