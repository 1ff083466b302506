from __future__ import annotations

import pytest

from tests.inquiry.book import Book, make_book


@pytest.fixture
def book(db) -> Book:
    return make_book()
