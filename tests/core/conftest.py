"""tests/core runs without Django: ``pytest tests/core -p no:django``."""

from __future__ import annotations

from datetime import date

import pytest

AS_OF = date(2026, 11, 26)


@pytest.fixture
def as_of() -> date:
    return AS_OF
