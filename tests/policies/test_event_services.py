"""Recording policy service events: idempotent by event id, an application becomes a policy,
refused records change nothing, status changes, the listeners hear only new events."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError

from tests.conftest import TODAY
from veracity.audit.models import AuditEvent
from veracity.audit.services import Actor
from veracity.ingest.readers import RowError
from veracity.org.principals import Staff, System
from veracity.policies import event_services
from veracity.policies import events as listeners
from veracity.policies.event_services import EventsRefused, policy_events_record
from veracity.policies.models import Policy, PolicyEvent, PolicyStatus
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db
CORE = System("system:import:policy-events")


def store(*apps: dict[str, Any]) -> list[Policy]:
    results = applications_store(list(apps), source="test", actor=Actor.system("test"), as_of=TODAY)
    return [r.policy for r in results]


def effective(no: str = "A1", policy_no: str = "P1", event_id: str = "E-eff-1") -> dict[str, Any]:
    return {
        "event_id": event_id,
        "policy_no": policy_no,
        "application_no": no,
        "kind": "policy_effective",
        "occurred_on": "2026-11-28",
        "data": {
            "effective_on": "2026-11-28",
            "cooling_off_ends_on": "2026-12-13",
            "callback_due_on": "2026-12-08",
            "sum_assured": 500000,
            "coverage_period": "终身",
            "premium": 12000,
            "payment_period": "20年交",
            "riders": [{"code": "ADD-1", "name": "附加意外", "sum_assured": 100000}],
        },
    }


def due(event_id: str, policy_no: str = "P1", amount: float = 12000, **data: Any) -> dict:
    return {
        "event_id": event_id,
        "policy_no": policy_no,
        "kind": "premium_due",
        "occurred_on": "2026-11-20",
        "data": {"due_on": "2026-12-20", "amount": amount, **data},
    }


def event(event_id: str, kind: str, policy_no: str = "P1", **data: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "policy_no": policy_no,
        "kind": kind,
        "occurred_on": "2026-12-01",
        "data": data,
    }


def record(*raws: object, principal: Any = CORE, **kwargs: Any):
    return policy_events_record(
        principal=principal,
        records=list(enumerate(raws, start=1)),
        source="import",
        **kwargs,
    )


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(PolicyEvent.objects.values_list("event_id", "policy_id", "kind")),
        sorted(Policy.objects.values_list("pk", "policy_no", "status", "effective_on")),
        Policy.history.count(),
    )


@pytest.fixture
def policy(make_application) -> Policy:
    [application] = store(make_application("A1"))
    result = record(effective())
    assert result.accepted == 1 and not result.rejected
    application.refresh_from_db()
    return application


def test_effective_turns_the_application_into_a_policy_with_its_history(make_application):
    [application] = store(make_application("A1"))
    assert application.policy_no is None
    before = application.history.count()
    result = record(effective())
    assert (result.accepted, result.duplicates, result.rejected) == (1, 0, [])
    application.refresh_from_db()
    assert application.policy_no == "P1"
    assert application.status == PolicyStatus.IN_FORCE
    assert application.effective_on == date(2026, 11, 28)
    assert application.cooling_off_ends_on == date(2026, 12, 13)
    assert application.callback_due_on == date(2026, 12, 8)
    assert application.sum_assured == Decimal("500000.00")
    assert application.coverage == {
        "coverage_period": "终身",
        "premium": 12000.0,
        "payment_period": "20年交",
        "riders": [{"code": "ADD-1", "name": "附加意外", "sum_assured": 100000.0}],
    }
    history = list(application.history.order_by("history_date"))
    assert len(history) == before + 1
    assert history[-2].policy_no is None and history[-1].policy_no == "P1"
    assert history[-1].status == PolicyStatus.IN_FORCE
    assert PolicyEvent.objects.get().policy_id == application.pk


def test_events_of_the_new_policy_number_in_the_same_batch_find_it(make_application):
    store(make_application("A1"))
    result = record(effective(), due("E2"), event("E3", "premium_received", amount=12000))
    assert (result.accepted, result.rejected) == (3, [])
    assert set(PolicyEvent.objects.values_list("policy__policy_no", flat=True)) == {"P1"}


def test_a_resent_batch_gives_duplicates_and_nothing_new(policy):
    batch = [due("E2"), event("E3", "claim_reported", claim_no="C1")]
    assert record(*batch).accepted == 2
    before = snapshot()
    audit_before = AuditEvent.objects.count()
    again = record(effective(), *copy.deepcopy(batch))
    assert (again.accepted, again.duplicates, again.rejected) == (0, 3, [])
    assert snapshot() == before
    assert AuditEvent.objects.count() == audit_before


def test_a_duplicate_inside_one_batch_is_taken_once(policy):
    result = record(due("E2"), due("E2"))
    assert (result.accepted, result.duplicates) == (1, 1)
    assert PolicyEvent.objects.filter(event_id="E2").count() == 1


@pytest.mark.parametrize(
    "other",
    [
        due("E2", amount=99),  # other data
        due("E2", policy_no="P-other"),  # other policy
        {**due("E2"), "occurred_on": "2026-11-21"},  # other day
        event("E2", "premium_received", amount=12000),  # other kind
    ],
)
def test_the_same_id_with_other_content_is_refused(policy, make_application, other):
    store(make_application("A2"))
    record(effective("A2", "P-other", "E-eff-2"))
    record(due("E2"))
    before = snapshot()
    result = record(other)
    assert result.accepted == 0 and result.duplicates == 0
    [rejected] = result.rejected
    assert rejected.line == 1 and rejected.event_id == "E2"
    assert [(p.field, p.reason_zh) for p in rejected.problems] == [
        ("event_id", "事件编号已用于另一事件")
    ]
    assert snapshot() == before


def _blocked(make_application) -> None:
    app = make_application("A-blocked", policyholder__birth_date="1985-03-15")
    [blocked] = store(app)
    assert blocked.status == PolicyStatus.BLOCKED


@pytest.mark.parametrize(
    ("raw", "field", "zh"),
    [
        (due("E9", policy_no="P-unknown"), "policy_no", "没有这个保单号的保单"),
        (effective("A-unknown", "P9", "E9"), "application_no", "没有这个投保单号的投保单"),
        (effective("A2", "P1", "E9"), "policy_no", "该保单号已属于另一份保单"),
        (effective("A1", "P-second", "E9"), "application_no", "该投保单已有另一个保单号"),
        (
            effective("A-blocked", "P9", "E9"),
            "application_no",
            "该投保单未通过真实性校验，不能生效",
        ),
    ],
)
def test_refused_records_change_nothing(policy, make_application, raw, field, zh):
    store(make_application("A2"))
    _blocked(make_application)
    before = snapshot()
    result = record(raw)
    assert result.accepted == 0
    [rejected] = result.rejected
    assert (rejected.line, rejected.event_id) == (1, "E9")
    assert [(p.field, p.reason_zh) for p in rejected.problems] == [(field, zh)]
    assert rejected.problems[0].reason_en
    assert snapshot() == before


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (event("E5", "policy_lapsed"), PolicyStatus.LAPSED),
        (event("E5", "policy_terminated", reason="满期"), PolicyStatus.TERMINATED),
        (event("E5", "policy_changed", change="surrender", major=True), PolicyStatus.TERMINATED),
        (event("E5", "policy_changed", change="address"), PolicyStatus.IN_FORCE),
        (event("E5", "premium_due", due_on="2026-12-20", amount=1), PolicyStatus.IN_FORCE),
    ],
)
def test_status_changes(policy, raw, status):
    before = policy.history.count()
    assert record(raw).accepted == 1
    policy.refresh_from_db()
    assert policy.status == status
    assert policy.history.count() == before + (status != PolicyStatus.IN_FORCE)


def test_a_reinstatement_puts_a_lapsed_policy_back_in_force(policy):
    record(event("E5", "policy_lapsed"))
    record(event("E6", "policy_changed", change="reinstatement", major=True))
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.IN_FORCE


def test_claim_no_is_copied_to_its_column(policy):
    record(
        event("E6", "claim_reported", claim_no="C-77"),
        event("E7", "claim_reviewed", claim_no="C-77", result="approved"),
        event("E8", "benefit_paid", benefit="生存金", amount=100),
    )
    assert dict(PolicyEvent.objects.values_list("event_id", "claim_no")) == {
        "E-eff-1": "",
        "E6": "C-77",
        "E7": "C-77",
        "E8": "",
    }


def test_a_bad_line_among_good_ones(policy):
    bad = {"event_id": "E-bad", "policy_no": "P1", "kind": "premium_due", "occurred_on": "x"}
    unread = RowError(3, "", "JSON 格式错误（第 1 列）", "invalid JSON")
    result = policy_events_record(
        principal=CORE,
        records=[(1, due("E2")), (2, bad), (3, unread), (4, due("E4"))],
        source="import",
    )
    assert (result.accepted, result.duplicates) == (2, 0)
    assert [(r.line, r.event_id) for r in result.rejected] == [(2, "E-bad"), (3, "")]
    fields = {p.field for p in result.rejected[0].problems}
    assert fields == {"occurred_on"}
    assert set(PolicyEvent.objects.values_list("event_id", flat=True)) == {"E-eff-1", "E2", "E4"}


@pytest.fixture
def heard():
    calls: list[tuple[list[str], Any]] = []

    def listener(events, principal):
        calls.append(([e.event_id for e in events], principal))
        assert all(e.pk and e.policy_id for e in events)

    listeners.on_policy_events(listener)
    yield calls
    listeners._LISTENERS.remove(listener)


def test_the_listener_hears_only_the_new_events_once(policy, heard):
    record(due("E2"), event("E3", "claim_reported", claim_no="C1"))
    record(due("E2"), due("E4"), due("E4"))
    record(due("E2"))
    assert [(ids, p) for ids, p in heard] == [(["E2", "E3"], CORE), (["E4"], CORE)]


def test_a_listener_failure_rolls_the_batch_back(policy):
    def failing(events, principal):
        raise DatabaseError("outbox unavailable")

    listeners.on_policy_events(failing)
    try:
        before = snapshot()
        result = record(due("E2"), due("E3"))
    finally:
        listeners._LISTENERS.remove(failing)
    assert result.accepted == 0 and result.failed_batches == 1
    assert [r.line for r in result.rejected] == [1, 2]
    assert "数据库" in result.rejected[0].problems[0].reason_zh
    assert snapshot() == before


def test_a_database_failure_rolls_back_that_batch_only(policy, monkeypatch):
    real = event_services.insert_rows
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise DatabaseError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(event_services, "insert_rows", flaky)
    result = record(due("E1"), due("E2"), due("E3"), due("E4"), due("E5"), batch_size=2)
    assert (result.accepted, result.failed_batches) == (3, 1)
    assert [r.line for r in result.rejected] == [3, 4]
    assert set(PolicyEvent.objects.values_list("event_id", flat=True)) == {
        "E-eff-1",
        "E1",
        "E2",
        "E5",
    }


def test_each_batch_is_audited(policy):
    record(due("E2"), due("E3"))
    audit = AuditEvent.objects.filter(object_type="policy_events").order_by("-seq").first()
    assert json.loads(audit.detail)["accepted"] == 2 and audit.action == "import"


@pytest.mark.parametrize(
    ("principal", "system"),
    [
        (System("api:bank", address="10.0.0.1"), "bancassurance"),
        (System("api:other"), "other"),
        (System("api:core"), ""),
    ],
)
def test_only_the_core_system_and_the_command_line_may_record(policy, principal, system):
    before = snapshot()
    with pytest.raises(EventsRefused) as refused:
        record(due("E2"), principal=principal, system=system)
    assert refused.value.code == "forbidden"
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="access_refused").exists()


def test_a_person_may_not_record(policy, personas):
    before = snapshot()
    with pytest.raises(EventsRefused):
        record(due("E2"), principal=Staff(personas["admin"]))
    assert snapshot() == before


def test_the_core_system_api_client_may_record(policy):
    assert record(due("E2"), principal=System("api:core"), system="core").accepted == 1
