"""The effect report's figures on a book built for it: renewal reminders delivered, failed
and not sent, each followed (or not) by the premium within 30 days; and the notices sent,
delivered and failed per event, channel and month."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.notices.book import CORE, store_policy
from veracity.notices.models import CustomerNotice
from veracity.notices.receipts import Receipt, receipts_record
from veracity.notices.selectors import effect_report, month_start, next_month
from veracity.notices.sending import notices_send_due

OCTOBER = (date(2026, 10, 1), date(2026, 11, 1))


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"
    settings.VERACITY_PREMIUM_DUE_NOTICE_DAYS = 10


# policy: what became of its reminder's SMS, when the premium came (None: never)
BOOK = [
    ("delivered", date(2026, 10, 15)),  # 5 days after the reminder: paid
    ("delivered", date(2026, 11, 25)),  # 46 days: not within 30
    ("failed", date(2026, 10, 20)),  # paid anyway
    ("failed", None),
    ("not_sent", date(2026, 11, 9)),  # 30 days exactly: within
    ("not_sent", None),
    ("sent", None),
]


@pytest.fixture
def book(db, make_application, record):
    for i, (fate, paid_on) in enumerate(BOOK):
        policy = store_policy(make_application, f"A-E{i}", f"P-E{i:04d}")
        due = record(
            policy,
            "premium_due",
            {"due_on": "2026-10-20", "amount": 1000},
            occurred_on=date(2026, 9, 20),
        )
        sms = CustomerNotice.objects.get(event=due, channel="sms")
        if fate == "not_sent":
            sms.delete()
        else:
            CustomerNotice.objects.filter(pk=sms.pk).update(status=fate)
        if paid_on:
            record(policy, "premium_received", {"amount": 1000}, occurred_on=paid_on)
        # a premium of another policy never counts for this one
    return BOOK


def test_the_effect_of_renewal_reminders(book):
    report = effect_report(start=OCTOBER[0], end=OCTOBER[1])
    figures = {e.group: (e.dues, e.paid) for e in report.effect}
    assert figures == {
        "delivered": (2, 1),
        "failed": (2, 1),
        "sent": (1, 0),
        "not_sent": (2, 1),
    }
    shares = {e.group: e.share for e in report.effect}
    assert shares["delivered"] == 0.5


def test_reminders_outside_the_period_are_not_counted(book):
    report = effect_report(start=date(2026, 11, 1), end=date(2026, 12, 1))
    assert all(e.dues == 0 for e in report.effect)


def test_sent_delivered_failed_per_kind_channel_and_month(policy, record):
    for amount in (1, 2, 3):
        record(policy, "premium_received", {"amount": amount})
    record(policy, "claim_reviewed", {"claim_no": "C1", "result": "approved"})
    notices_send_due()
    sms = list(
        CustomerNotice.objects.filter(channel="sms", event_kind="premium_received").order_by("id")
    )
    receipts_record(
        principal=CORE,
        receipts=[
            Receipt(success=True, out_id=sms[0].notice_id),
            Receipt(success=False, out_id=sms[1].notice_id, err_code="EXPIRED"),
        ],
    )
    today = timezone.localdate()
    report = effect_report(start=month_start(today), end=next_month(today))
    month = f"{today:%Y-%m}"
    figures = {
        (f.kind, f.channel): (f.month, f.sent, f.delivered, f.failed) for f in report.delivery
    }
    assert figures[("premium_received", "sms")] == (month, 3, 1, 1)
    assert figures[("premium_received", "email")] == (month, 3, 0, 0)
    assert figures[("premium_received", "portal")] == (month, 3, 3, 0)
    assert figures[("claim_reviewed", "sms")] == (month, 2, 0, 0)  # holder and claimant
    assert figures[("claim_reviewed", "portal")] == (month, 2, 2, 0)
