"""``notices_of``: what the portal shows a customer — their own notices whose time has come,
newest first, the text rendered from the template they were written with."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from veracity.notices.listener import new_notice_ids
from veracity.notices.models import CustomerNotice, NoticeTemplate
from veracity.notices.selectors import notices_of


def test_a_customers_own_notices_rendered_newest_first(policy, holder, insured, record):
    record(policy, "premium_received", {"amount": 1200})
    record(policy, "claim_reviewed", {"claim_no": "C7", "result": "rejected", "reason": "免责"})
    later = (timezone.localdate() + timedelta(days=60)).isoformat()
    record(policy, "premium_due", {"due_on": later, "amount": 1200})  # not yet
    CustomerNotice.objects.filter(event__kind="claim_reviewed").update(
        send_after=timezone.now() + timedelta(seconds=-1)
    )
    CustomerNotice.objects.filter(event__kind="premium_received").update(
        send_after=timezone.now() - timedelta(hours=1)
    )
    shown = notices_of(customer_id=holder)
    assert [n.kind for n in shown] == ["claim_reviewed"] * 3 + ["premium_received"] * 3
    portal = next(n for n in shown if n.channel == "portal" and n.kind == "claim_reviewed")
    assert portal.text == (
        "尊敬的客户：保单P2026000001的理赔申请C7经审核不予赔付，原因：免责。如有异议请致电本公司客服热线。"
    )
    assert portal.status_zh == "已送达" and portal.kind_zh == "理赔审核"
    assert "{" not in "".join(n.text for n in shown)
    claimant = notices_of(customer_id=insured)
    assert {n.kind for n in claimant} == {"claim_reviewed"}


def test_the_text_is_the_version_it_was_written_with(policy, holder, record):
    record(policy, "premium_received", {"amount": 5})
    old = NoticeTemplate.objects.get(code="premium_received", channel="portal", version=1)
    NoticeTemplate.objects.filter(pk=old.pk).update(active=False)
    NoticeTemplate.objects.create(
        code="premium_received",
        channel="portal",
        version=2,
        event_kind="premium_received",
        text="新版：{amount}元",
    )
    record(policy, "premium_received", {"amount": 6})
    texts = {n.text for n in notices_of(customer_id=holder) if n.channel == "portal"}
    assert "新版：6.00元" in texts
    assert any(t.startswith("尊敬的客户") and "5.00元" in t for t in texts)


def test_notice_ids_are_unique():
    ids = new_notice_ids(10_000)
    assert len(set(ids)) == 10_000 and all(len(i) == 21 and i[0] == "N" for i in ids)
