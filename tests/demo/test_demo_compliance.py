"""The demo's compliance actions: one rectification past its due date, so the homes show it;
recorded once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from veracity.conduct.action_selectors import overdue
from veracity.conduct.models import ComplianceAction
from veracity.demo.compliance import demo_compliance_actions
from veracity.notify.models import Notification
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db


def test_the_demo_records_its_compliance_actions_once(personas, client):
    Seller.objects.create(code="AGY0001", kind=SellerKind.AGENCY, name="诚信保险代理公司")
    Seller.objects.create(code="AG00017", kind=SellerKind.AGENT, name="李爱丽")
    assert demo_compliance_actions() == 4
    assert demo_compliance_actions() == 0
    assert ComplianceAction.objects.filter(overdue(timezone.localdate())).count() == 1
    late = ComplianceAction.objects.get(kind="rectification", seller__code="AGY0001")
    assert late.owner == personas["henry"] and late.follow_ups.count() == 1
    assert Notification.objects.filter(
        kind="rectification_overdue", recipient=personas["henry"]
    ).exists()
    for username in ("dave", "henry", "mike", "tina", "nora", "olga"):
        client.force_login(personas[username])
        assert client.get("/").status_code == 200, username
    client.force_login(personas["dave"])
    body = client.get("/").content.decode()
    assert 'id="home-overdue-count">1<' in body
