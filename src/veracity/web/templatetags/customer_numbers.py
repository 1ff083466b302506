"""``{% load customer_numbers %}``: the file number (档案号) of a customer, for pages that
would otherwise show an internal id.

``{{ customer|file_number }}`` takes a customer or its id. File numbers are given as
``numbers.archive_no_of_id(pk)`` (``customers.services``), so an id needs no query.
"""

from __future__ import annotations

from typing import Any

from django import template

from veracity.customers.numbers import archive_no_of_id

register = template.Library()


@register.filter
def file_number(value: Any) -> str:
    """The 档案号 of a customer (an object with ``archive_no`` and ``pk`` or
    ``customer_id``) or of an id."""
    if value is None or value == "":
        return ""
    archive_no = getattr(value, "archive_no", None)
    if archive_no:
        return str(archive_no)
    pk = getattr(value, "pk", None) or getattr(value, "customer_id", value)
    try:
        return archive_no_of_id(int(pk))
    except (TypeError, ValueError):
        return str(value)
