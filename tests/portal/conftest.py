from __future__ import annotations

import pytest

from tests.portal.factories import Book, book


@pytest.fixture
def portal_book(db) -> Book:
    return book()


@pytest.fixture
def outbox(settings, tmp_path):
    """The file backend's SMS outbox in the test's own folder."""
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"
    from veracity.notify.sms import file_outbox

    return lambda: file_outbox(tmp_path / "sms-outbox.jsonl")
