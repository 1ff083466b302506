"""Problem items to work on: two strangers on one phone (agency and bancassurance)."""

from __future__ import annotations

import pytest

from tests.detection.test_listing import make_items
from veracity.detection.models import ProblemItem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def item(personas) -> ProblemItem:
    return make_items()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
