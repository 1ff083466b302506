"""Fixtures of the conduct tests.

Sellers to complain about: AG17 (an agent of TL1's team, signed in as ``sid``), the team
leader TL1 (signed in as ``lee``), the agency AY1 with its staff agent AG20 (signed in as
``ann``). sid, lee and ann also hold the customer service role, so only the separation rule
of 查实 stands between them and a verification.

Sellers and an agency to penalise, with the demo personas: nora (channel management)
proposes, mike (channel management, head of 销售渠道管理部) approves, george (general manager)
approves a termination, dave (compliance) is told.

A small book for the regulator report: sellers, an agency, policies, penalties and
verified escalations, written directly (the report reads them; how they are made is the
other registers' business).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.cases.conftest import _evidence_dir, item, team  # noqa: F401  (shared fixtures)


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


@pytest.fixture
def book(personas, team):  # noqa: F811
    """AG1 and BK7 (the cases' team) and the agency AGY1 that AG1 works for; one policy."""
    from veracity.sales.models import Seller, SellerKind

    agency = Seller.objects.create(code="AGY1", kind=SellerKind.AGENCY, name="安心保险代理")
    team["AG1"].agency = agency
    team["AG1"].save()
    return {**team, "AGY1": agency}


def local(day: date, at: time = time(10, 0)) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


class Book:
    """Makers of the report's sources."""

    def __init__(self, users: dict[str, Any]) -> None:
        from veracity.policies.models import Product

        self.users = users
        self.product = Product.objects.create(
            code="WL-20", name="终身寿险", type="ordinary_life", term_years=Decimal(20)
        )
        self._policies = 0
        self._items = 0

    def seller(self, code: str, name: str, kind: str = "agent", agency: Any = None) -> Any:
        from veracity.sales.models import Seller

        return Seller.objects.create(code=code, name=name, kind=kind, agency=agency)

    def policy(self, seller: Any, *, agency: Any = None, channel: str = "agency") -> Any:
        from veracity.policies.models import Policy

        self._policies += 1
        return Policy.objects.create(
            application_no=f"T{self._policies:07d}",
            product=self.product,
            channel=channel,
            seller=seller,
            agency=agency,
            applied_on=date(2026, 9, 1),
        )

    def penalty(
        self,
        seller: Any,
        decided_on: date,
        *,
        reason: str = "false_data",
        measure: str = "warning",
        status: str = "approved",
        policies: tuple[Any, ...] = (),
    ) -> Any:
        from veracity.conduct.models import Penalty

        penalty = Penalty.objects.create(
            seller=seller, reason=reason, measure=measure, decided_on=decided_on, status=status
        )
        penalty.policies.set(policies)
        return penalty

    def escalation(
        self, seller: Any, at: datetime, *, misconduct: str = "false_data", policies: tuple = ()
    ) -> Any:
        from veracity.cases.models import Escalation, ProblemItem, ProblemItemMember

        self._items += 1
        made = ProblemItem.objects.create(
            rule="AGENT_CONTACT",
            key=f"t:{self._items}",
            severity="high",
            reason_zh="客户电话与销售人员电话相同",
            reason_en="The customer's phone is the seller's",
            first_seen_on=at.date(),
            last_seen_on=at.date(),
            stage="verified",
        )
        for n, policy in enumerate(policies, start=1):
            ProblemItemMember.objects.create(
                item=made, customer_id=self._items * 100 + n, policy=policy, added_on=at.date()
            )
        return Escalation.objects.create(
            item=made,
            seller=seller,
            misconduct=misconduct,
            reason="核实：以本人电话替代客户电话",
            escalated_by=self.users["sam"],
            escalated_at=at,
        )


@pytest.fixture
def quarter_book(personas: dict[str, Any]) -> Book:
    return Book(personas)
