"""Signing a customer in on the portal with the test client (the real pages)."""

from __future__ import annotations

from typing import Any

from tests.portal.factories import Book, identity

PASSWORD = "Lanting-Xu-2026!"


def portal_account(customer_id: int, password: str = PASSWORD) -> None:
    from veracity.org.principals import Customer
    from veracity.portal.services import portal_password_set

    portal_password_set(principal=Customer(customer_id, "sms_code"), password=password)


def portal_sign_in(client: Any, book: Book, who: str = "wang") -> Any:
    """Register ``who`` (without the SMS step) and log in through the login page."""
    customer_id = book.wang if who == "wang" else book.li
    portal_account(customer_id)
    stated = identity(book, who)
    answer = client.post(
        "/my/login/",
        {"id_type": "resident_id", "id_number": stated["id_number"], "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    return answer
