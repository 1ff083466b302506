"""``{{ customer|file_number }}`` shows the 档案号 of a customer, a view-model or an id."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from veracity.web.templatetags.customer_numbers import file_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (SimpleNamespace(archive_no="C0000000042", pk=7), "C0000000042"),
        (SimpleNamespace(archive_no=None, pk=7), "C0000000007"),
        (SimpleNamespace(archive_no="", customer_id=12), "C0000000012"),
        (10, "C0000000010"),
        ("10", "C0000000010"),
        (None, ""),
        ("", ""),
        ("x", "x"),
    ],
)
def test_file_number(value, shown):
    assert file_number(value) == shown
