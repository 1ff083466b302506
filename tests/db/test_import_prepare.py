"""A file import checks batches in a child process; the outcome is the serial one."""

from __future__ import annotations

import json
from datetime import date
from itertools import islice

import pytest

from veracity.audit.services import Actor, audit_verify
from veracity.demo.generator import DemoConfig, applications
from veracity.ingest.readers import RowError
from veracity.policies.models import GateCheck, Policy
from veracity.policies.services import RejectedRow, applications_import

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = date(2026, 11, 27)


def _records(count: int) -> list[tuple[int, dict | RowError]]:
    apps = list(islice(applications(DemoConfig(customers=40)), count))
    records: list[tuple[int, dict | RowError]] = [
        (line, json.loads(json.dumps(app, default=str))) for line, app in enumerate(apps, 1)
    ]
    records.append((len(records) + 1, {"application_no": ""}))  # rejected in the child
    return records


def test_batches_prepared_in_a_child_process_match_a_single_batch():
    records = _records(9)
    actor = Actor.system("test")
    report = applications_import(records, actor=actor, as_of=AS_OF, batch_size=2)
    assert report.created == 9 and len(report.errors) == 1
    assert report.errors[0].line == 10 and report.errors[0].field == "application_no"
    assert Policy.objects.count() == 9 == GateCheck.objects.count()
    again = applications_import(records, actor=actor, as_of=AS_OF, batch_size=100)
    assert again.unchanged == 9 and again.created == 0
    assert report.passed + report.failed == 9
    assert audit_verify().ok


def test_rejected_row_survives_pickling():
    import pickle

    refusal = RejectedRow("schema", "f", message_zh="中", message_en="en")
    rejected = pickle.loads(pickle.dumps(refusal))
    assert (rejected.field, rejected.reason_zh, rejected.reason_en) == ("f", "中", "en")
