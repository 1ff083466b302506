"""Sellers to complain about: AG17 (an agent of TL1's team, signed in as ``sid``), the team
leader TL1 (signed in as ``lee``), the agency AY1 with its staff agent AG20 (signed in as
``ann``). sid, lee and ann also hold the customer service role, so only the separation rule
of 查实 stands between them and a verification."""
"""Sellers and an agency to penalise, with the demo personas: nora (channel management)
proposes, mike (channel management, head of 销售渠道管理部) approves, george (general manager)
approves a termination, dave (compliance) is told."""

from __future__ import annotations

import pytest


@pytest.fixture
def sellers(personas):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from veracity.sales.models import Seller, SellerKind

    users = {}
    for username in ("sid", "lee", "ann"):
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
        user.groups.add(Group.objects.get(name="customer_service"))
        users[username] = user
    leader = Seller.objects.create(
        code="TL1", kind=SellerKind.AGENT, name="陶团队", qualified=True, user=users["lee"]
    )
    agency = Seller.objects.create(code="AY1", kind=SellerKind.AGENCY, name="安心保险代理")
    return {
        "users": users,
        "TL1": leader,
        "AG17": Seller.objects.create(
            code="AG17",
            kind=SellerKind.AGENT,
            name="司马成",
            qualified=True,
            leader=leader,
            user=users["sid"],
        ),
        "AY1": agency,
        "AG20": Seller.objects.create(
            code="AG20",
            kind=SellerKind.AGENT,
            name="安小娜",
            qualified=True,
            agency=agency,
            user=users["ann"],
        ),
    }
from tests.cases.conftest import _evidence_dir, item, team  # noqa: F401  (shared fixtures)


@pytest.fixture
def book(personas, team):  # noqa: F811
    """AG1 and BK7 (the cases' team) and the agency AGY1 that AG1 works for; one policy."""
    from veracity.sales.models import Seller, SellerKind

    agency = Seller.objects.create(code="AGY1", kind=SellerKind.AGENCY, name="安心保险代理")
    team["AG1"].agency = agency
    team["AG1"].save()
    return {**team, "AGY1": agency}
