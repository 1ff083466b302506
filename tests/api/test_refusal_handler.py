"""The API answers every refusal in one handler: the status its kind says, the body from its
catalogue entry."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from veracity.api.router import _refused
from veracity.cases.policy import CaseError
from veracity.core.refusals import HTTP_STATUS, Kind
from veracity.incidents.services import IncidentError

CASES = [
    (CaseError("not_found", "item"), Kind.NOT_FOUND, 404),
    (
        CaseError("role", "user", action_zh="关闭问题件", action_en="close problem items"),
        Kind.FORBIDDEN,
        403,
    ),
    (CaseError("other_channel", "assigned_channel"), Kind.FORBIDDEN, 403),
    (CaseError("not_investigator", "assignee"), Kind.FORBIDDEN, 403),
    (CaseError("own_work", "user"), Kind.FORBIDDEN, 403),
    (CaseError("taken", "stage"), Kind.CONFLICT, 409),
    (CaseError("not_distributed", "stage"), Kind.CONFLICT, 409),
    (CaseError("closed", "stage"), Kind.CONFLICT, 409),
    (CaseError("too_large", "file", mb=20), Kind.TOO_LARGE, 413),
    (CaseError("purpose", "purpose"), Kind.INVALID, 400),
    (IncidentError("UNKNOWN", "incident"), Kind.NOT_FOUND, 404),
]


@pytest.mark.parametrize(("error", "kind", "status"), CASES, ids=lambda v: getattr(v, "key", None))
def test_the_status_follows_the_kind(error, kind, status):
    assert error.kind is kind and HTTP_STATUS[kind] == status
    response = _refused(RequestFactory().get("/api/v1/"), error)
    assert response.status_code == status
    assert json.loads(response.content) == error.to_dict()


def test_the_illegal_transition_keeps_its_words():
    error = CaseError(
        "illegal_transition",
        "stage",
        stage_zh="已关闭",
        step_zh="认领",
        stage_en="closed",
        step_en="claimed",
    )
    response = _refused(RequestFactory().get("/api/v1/"), error)
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "code": "illegal_transition",
        "field": "stage",
        "message_zh": "问题件处于“已关闭”状态，不能认领",
        "message_en": "the item is closed; it cannot be claimed",
    }
