"""Sellers and an agency to penalise, with the demo personas: nora (channel management)
proposes, mike (channel management, head of 销售渠道管理部) approves, george (general manager)
approves a termination, dave (compliance) is told."""

from __future__ import annotations

import pytest

from tests.cases.conftest import _evidence_dir, item, team  # noqa: F401  (shared fixtures)


@pytest.fixture
def book(personas, team):  # noqa: F811
    """AG1 and BK7 (the cases' team) and the agency AGY1 that AG1 works for; one policy."""
    from veracity.sales.models import Seller, SellerKind

    agency = Seller.objects.create(code="AGY1", kind=SellerKind.AGENCY, name="安心保险代理")
    team["AG1"].agency = agency
    team["AG1"].save()
    return {**team, "AGY1": agency}
