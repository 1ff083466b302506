"""NT-1: each notice event writes exactly one notice per channel for the policyholder (claims:
the claimant too) in the event's transaction; an event announced again writes none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.notices.book import CORE
from veracity.customers.models import Phone
from veracity.notices.listener import notices_for_events
from veracity.notices.models import CustomerNotice
from veracity.policies.events import announce

EVENTS = [
    ("policy_effective", {"effective_on": "2026-11-20", "cooling_off_ends_on": "2026-12-05"}),
    ("premium_received", {"amount": 1200, "period": 2}),
    ("policy_changed", {"change": "beneficiary", "major": True}),
    ("benefit_paid", {"benefit": "生存金", "amount": 800}),
]
CLAIMS = [
    ("claim_reviewed", {"claim_no": "C1", "result": "approved"}),
    ("claim_reviewed", {"claim_no": "C2", "result": "rejected", "reason": "等待期内出险"}),
    ("claim_reviewed", {"claim_no": "C3", "result": "more_documents", "reason": "病历"}),
    ("benefit_paid", {"claim_no": "C1", "amount": 5000}),
]


def channels(**where) -> list[tuple[str, str]]:
    return sorted(CustomerNotice.objects.filter(**where).values_list("recipient_role", "channel"))


@pytest.mark.parametrize(("kind", "data"), EVENTS)
def test_one_notice_per_channel_to_the_policyholder(policy, holder, record, kind, data):
    event = record(policy, kind, data)
    assert channels(event=event) == [
        ("policyholder", "email"),
        ("policyholder", "portal"),
        ("policyholder", "sms"),
    ]
    sms = CustomerNotice.objects.get(event=event, channel="sms")
    assert sms.customer_id == holder
    assert sms.address == "+8613800138000"
    assert sms.status == "queued"
    assert sms.params["policy_no"] == "P2026000001"
    portal = CustomerNotice.objects.get(event=event, channel="portal")
    assert portal.status == "delivered" and portal.address == ""


@pytest.mark.parametrize(("kind", "data"), CLAIMS)
def test_claims_also_to_the_claimant(policy, insured, record, kind, data):
    event = record(policy, kind, data)
    assert channels(event=event) == [
        ("claimant", "portal"),
        ("claimant", "sms"),
        ("policyholder", "email"),
        ("policyholder", "portal"),
        ("policyholder", "sms"),
    ]
    claimant = CustomerNotice.objects.get(event=event, recipient_role="claimant", channel="sms")
    assert claimant.customer_id == insured
    assert claimant.address == "+8613900139000"
    code = CustomerNotice.objects.filter(event=event).values_list("template_code", flat=True)
    expected = f"claim_reviewed_{data['result']}" if kind == "claim_reviewed" else kind
    assert set(code) == {expected}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("policy_changed", {"change": "address", "major": False}),
        ("policy_changed", {"change": "address"}),
        ("claim_reported", {"claim_no": "C9"}),
        ("policy_lapsed", {}),
        ("policy_terminated", {}),
    ],
)
def test_no_notice_for_other_events(policy, record, kind, data):
    record(policy, kind, data)
    assert CustomerNotice.objects.count() == 0


def test_an_event_announced_again_writes_nothing(policy, record):
    event = record(policy, "premium_received", {"amount": 100})
    before = list(CustomerNotice.objects.values_list("notice_id", flat=True).order_by("id"))
    with transaction.atomic():
        announce([event], CORE)
        announce([event, event], CORE)
    assert list(CustomerNotice.objects.values_list("notice_id", flat=True).order_by("id")) == before
    assert len(before) == 3


def test_no_sms_without_a_valid_mobile_and_no_email_without_one(policy, holder, record):
    Phone.objects.filter(customer_id=holder).update(valid=False)
    from veracity.customers.models import Email

    Email.objects.filter(customer_id=holder).delete()
    event = record(policy, "premium_received", {"amount": 100})
    assert channels(event=event) == [("policyholder", "portal")]


def test_notices_roll_back_with_the_events(policy, record):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(policy, "premium_received", {"amount": 100})
        raise RuntimeError
    assert CustomerNotice.objects.count() == 0


@pytest.mark.parametrize(
    ("due_on", "days", "expected"),
    [
        (date(2027, 1, 20), 10, date(2027, 1, 10)),
        (date(2027, 1, 20), 30, date(2026, 12, 21)),
    ],
)
def test_premium_due_is_scheduled_n_days_before(policy, record, settings, due_on, days, expected):
    settings.VERACITY_PREMIUM_DUE_NOTICE_DAYS = days
    event = record(policy, "premium_due", {"due_on": due_on.isoformat(), "amount": 1200})
    for notice in CustomerNotice.objects.filter(event=event):
        assert timezone.localtime(notice.send_after).date() == expected


def test_premium_due_within_n_days_goes_at_once(policy, record):
    soon = timezone.localdate() + timedelta(days=3)
    event = record(policy, "premium_due", {"due_on": soon.isoformat(), "amount": 1200})
    sms = CustomerNotice.objects.get(event=event, channel="sms")
    assert abs(sms.send_after - timezone.now()) < timedelta(minutes=1)


def test_a_batch_costs_the_same_queries_whatever_its_size(policy, make_application):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.notices.book import store_policy
    from veracity.policies.models import PolicyEvent

    others = [
        store_policy(
            make_application, f"A{i}", f"P20269{i:05d}", policyholder__phones=[f"1380013{i:04d}"]
        )
        for i in range(2, 7)
    ]

    def batch(tag: str, per_policy: int) -> tuple[int, int]:
        events = PolicyEvent.objects.bulk_create(
            [
                PolicyEvent(
                    event_id=f"E-{tag}-{p.pk}-{k}",
                    policy=p,
                    kind="premium_received",
                    occurred_on=date(2026, 11, 1),
                    data={"amount": 10},
                )
                for p in [policy, *others]
                for k in range(per_policy)
            ]
        )
        with CaptureQueriesContext(connection) as queries:
            written = notices_for_events(events, CORE)
        return len(queries), written

    small, few = batch("S", 1)
    large, many = batch("L", 40)
    assert large == small <= 20
    assert many == 40 * few
