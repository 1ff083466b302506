"""The notice tests' book (``tests.notices.book``)."""

from tests.notices.book import holder, insured, policy, record  # noqa: F401
