"""A page shown again with a refusal answers 400 whatever the kind; only a refused download of
a missing evidence file is the page's own 404."""

from __future__ import annotations

import pytest

from veracity.cases.policy import CaseError
from veracity.incidents.services import IncidentError
from veracity.web.views.common import refusal_status


@pytest.mark.parametrize(
    "error",
    [
        CaseError("not_found", "item"),
        CaseError("own_work", "user"),
        CaseError("taken", "stage"),
        CaseError("too_large", "file", mb=20),
        CaseError("purpose", "purpose"),
        IncidentError("FINAL", "status", status_zh="已关闭", status_en="closed"),
        IncidentError("UNKNOWN", "incident"),
    ],
    ids=lambda e: e.key,
)
def test_a_refused_step_shows_the_page_again_with_400(error):
    assert refusal_status(error) == 400


def test_a_missing_evidence_file_is_404_on_download_only():
    missing = CaseError("not_found.evidence", "evidence")
    assert refusal_status(missing, missing_is_404=True) == 404
    assert refusal_status(missing) == 400
    assert refusal_status(CaseError("tampered", "evidence"), missing_is_404=True) == 400
