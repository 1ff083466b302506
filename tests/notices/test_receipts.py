"""Delivery receipts: kept as received, applied forward only; the first final receipt wins;
a receipt before the send result is applied; duplicates change nothing; unknown ones kept."""

from __future__ import annotations

import pytest

from veracity.notices.models import CustomerNotice, DeliveryReceipt
from veracity.notices.receipts import Receipt, receipts_record
from veracity.notices.sending import notices_claim, notices_send_due
from veracity.org.principals import system

GATEWAY = system("api:sms-gateway")


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"


@pytest.fixture
def notice(policy, record) -> CustomerNotice:
    event = record(policy, "premium_received", {"amount": 100})
    return CustomerNotice.objects.get(event=event, channel="sms")


def ok(notice: CustomerNotice) -> Receipt:
    return Receipt(success=True, out_id=notice.notice_id, err_code="DELIVERED")


def bad(notice: CustomerNotice, code: str = "EXPIRED") -> Receipt:
    return Receipt(success=False, out_id=notice.notice_id, err_code=code)


def status(notice: CustomerNotice) -> tuple[str, str]:
    notice.refresh_from_db()
    return notice.status, notice.error_code


def test_a_receipt_makes_a_sent_notice_delivered(notice):
    notices_send_due()
    counts = receipts_record(principal=GATEWAY, receipts=[ok(notice)])
    assert counts.applied == 1
    assert status(notice) == ("delivered", "")
    assert notice.final_at is not None


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("ok", "bad", ("delivered", "")),
        ("bad", "ok", ("failed", "EXPIRED")),
        ("ok", "ok", ("delivered", "")),
        ("bad", "bad", ("failed", "EXPIRED")),
    ],
)
def test_the_first_final_receipt_wins(notice, first, second, expected):
    notices_send_due()
    make = {"ok": ok, "bad": bad}
    receipts_record(principal=GATEWAY, receipts=[make[first](notice)])
    counts = receipts_record(principal=GATEWAY, receipts=[make[second](notice)])
    assert counts.unchanged == 1 and counts.applied == 0
    assert status(notice) == expected
    assert DeliveryReceipt.objects.filter(notice_id=notice.notice_id).count() == 2


def test_a_receipt_before_the_send_result(notice):
    """The message went out; its receipt comes while the sender is still writing."""
    [claimed, *_] = [n for n in notices_claim(limit=10) if n.channel == "sms"]
    receipts_record(principal=GATEWAY, receipts=[ok(notice)])
    assert status(notice) == ("delivered", "")
    # the sender now records its result: the status stays, the provider id is added
    from django.utils import timezone

    from veracity.notices.sending import _record_sent

    _record_sent([(claimed, "biz-1")], timezone.now())
    notice.refresh_from_db()
    assert (notice.status, notice.provider_id) == ("delivered", "biz-1")
    assert notice.sent_at is not None


def test_a_receipt_by_provider_id_only(notice):
    notices_send_due()
    notice.refresh_from_db()
    receipts_record(principal=GATEWAY, receipts=[Receipt(success=True, biz_id=notice.provider_id)])
    assert status(notice) == ("delivered", "")


def test_an_unknown_receipt_is_kept_and_applied_when_its_notice_is_sent(notice):
    # a receipt naming a notice whose send result is not known yet and that cannot be found
    # by its out_id (e.g. the provider's id was all it carried) is kept, not applied
    receipts_record(principal=GATEWAY, receipts=[Receipt(success=True, biz_id="nobody")])
    kept = DeliveryReceipt.objects.get(biz_id="nobody")
    assert kept.applied is False
    assert status(notice) == ("queued", "")


def test_a_pending_receipt_is_applied_with_the_send_result(notice):
    DeliveryReceipt.objects.create(
        notice_id=notice.notice_id, success=False, err_code="MK:0001", raw={}, applied=False
    )
    notices_send_due()
    assert status(notice) == ("failed", "MK:0001")
    assert DeliveryReceipt.objects.get(notice_id=notice.notice_id).applied is True


def test_a_queued_notice_is_never_made_queued_again_by_a_sent_result(notice):
    notices_send_due()
    receipts_record(principal=GATEWAY, receipts=[bad(notice)])
    notices_send_due()
    assert status(notice) == ("failed", "EXPIRED")


class Polling:
    """A backend that answers the poll as QuerySendDetails would."""

    def send(self, message):
        from veracity.notify.sms import SmsResult

        return SmsResult(accepted=True, provider_id="biz-" + message.notice_id)

    def query(self, notice):
        return [Receipt(success=True, out_id=notice.notice_id, biz_id=notice.provider_id)]


def test_notices_without_a_result_are_polled(notice, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from veracity.notices.receipts import notices_poll
    from veracity.notify import sms

    monkeypatch.setitem(sms._BACKENDS, "polling", Polling)
    settings.VERACITY_SMS_BACKEND = "polling"
    settings.VERACITY_NOTICE_POLL_AFTER_HOURS = 6
    notices_send_due()
    assert notices_poll() == (0, 0)  # too early
    assert notices_poll(now=timezone.now() + timedelta(hours=7)) == (1, 1)
    assert status(notice) == ("delivered", "")
    assert DeliveryReceipt.objects.get(notice_id=notice.notice_id).source == "poll"


def test_the_file_backend_is_not_polled(notice):
    from datetime import timedelta

    from django.utils import timezone

    from veracity.notices.receipts import notices_poll

    notices_send_due()
    assert notices_poll(now=timezone.now() + timedelta(days=1)) == (0, 0)
