"""Sending the outbox: a row is claimed by one sender only and never sent twice, the file
backend writes one line per message, a gateway that cannot be reached is retried with
exponential backoff until the attempts run out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from veracity.notices import sending
from veracity.notices.models import CustomerNotice
from veracity.notices.sending import notices_claim, notices_send_due, retry_delay
from veracity.notify import sms
from veracity.notify.sms import SmsResult, SmsUnavailable, file_outbox


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"


@pytest.fixture
def queued(policy, record):
    return record(policy, "premium_received", {"amount": 1200, "period": 2})


def test_the_file_backend_line_shape_and_statuses(queued):
    counts = notices_send_due()
    assert (counts.claimed, counts.sent, counts.failed) == (2, 2, 0)
    [line] = file_outbox()
    sms_notice = CustomerNotice.objects.get(event=queued, channel="sms")
    assert line == {
        "notice_id": sms_notice.notice_id,
        "to": "+8613800138000",
        "template": "SMS_470100003",
        "params": {
            "policy_no": "P2026000001",
            "occurred_on": "2026-11-26",
            "amount": "1,200.00",
            "period": "2",
        },
    }
    assert sms_notice.status == "sent" and sms_notice.attempts == 1
    assert sms_notice.provider_id == f"file-{sms_notice.notice_id}"
    [message] = mail.outbox
    assert message.to == ["wangfang@example.com"]
    assert "保费1,200.00元已于2026-11-26到账" in message.body
    assert "{" not in message.body


def test_a_sent_notice_is_never_sent_again(queued):
    notices_send_due()
    again = notices_send_due()
    assert again.claimed == 0
    assert len(file_outbox()) == 1 and len(mail.outbox) == 1


def test_two_senders_never_hold_one_row(queued):
    first = notices_claim(limit=10)
    second = notices_claim(limit=10)
    assert len(first) == 2 and second == []


def test_an_expired_claim_is_taken_again(queued):
    notices_claim(limit=10)
    later = timezone.now() + sending.LEASE + timedelta(seconds=1)
    assert len(notices_claim(limit=10, now=later)) == 2


def test_not_before_it_is_due(policy, record):
    due_on = (timezone.localdate() + timedelta(days=40)).isoformat()
    record(policy, "premium_due", {"due_on": due_on, "amount": 100})
    assert notices_send_due().claimed == 0
    assert file_outbox() == []


class Down:
    def send(self, message):
        raise SmsUnavailable("down")


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (10, 30720)])
def test_backoff_doubles(settings, attempts, seconds):
    settings.VERACITY_NOTICE_RETRY_BASE_SECONDS = 60
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_retries_with_backoff_then_fails(queued, settings, monkeypatch):
    settings.VERACITY_NOTICE_MAX_ATTEMPTS = 3
    settings.VERACITY_NOTICE_RETRY_BASE_SECONDS = 60
    monkeypatch.setitem(sms._BACKENDS, "down", Down)
    settings.VERACITY_SMS_BACKEND = "down"
    notice = CustomerNotice.objects.get(event=queued, channel="sms")
    now = timezone.now()
    waits = []
    for _ in range(2):
        counts = notices_send_due(now=now)
        assert counts.retried == 1
        notice.refresh_from_db()
        assert notice.status == "queued"
        waits.append(notice.send_after - now)
        now = notice.send_after
    assert waits == [timedelta(seconds=60), timedelta(seconds=120)]
    counts = notices_send_due(now=now)
    notice.refresh_from_db()
    assert counts.failed == 1
    assert (notice.status, notice.error_class, notice.attempts) == ("failed", "gateway", 3)
    assert notices_send_due(now=now + timedelta(days=2)).claimed == 0


class Refusing:
    def __init__(self, code: str) -> None:
        self.code = code

    def send(self, message):
        return SmsResult(accepted=False, code=self.code, message="")


def test_a_refusal_fails_at_once(queued, settings, monkeypatch):
    monkeypatch.setitem(sms._BACKENDS, "refusing", lambda: Refusing("isv.BUSINESS_LIMIT_CONTROL"))
    settings.VERACITY_SMS_BACKEND = "refusing"
    notices_send_due()
    notice = CustomerNotice.objects.get(event=queued, channel="sms")
    assert (notice.status, notice.error_code, notice.error_class) == (
        "failed",
        "isv.BUSINESS_LIMIT_CONTROL",
        "rate_limited",
    )


def test_the_command_sends_once_and_prints_counts(queued):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify", "send", "--once", stdout=out)
    assert "sent 2" in out.getvalue()
    assert len(file_outbox()) == 1


def test_the_periodic_task_sends(queued):
    from veracity.notices.tasks import notices_send

    result = notices_send.call_local()
    assert result["sent"] == 2
