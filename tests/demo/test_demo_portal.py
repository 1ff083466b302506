"""The demo's portal customer: policyholder of one policy, insured of another, able to log in."""

from __future__ import annotations

import pytest

from tests.portal.factories import P1, P2, book
from veracity.demo.portal import DEMO_PORTAL_PASSWORD, demo_portal_account_ensure
from veracity.org.principals import System
from veracity.portal.services import portal_login

pytestmark = pytest.mark.django_db


def test_no_numbered_policies_no_demo_account() -> None:
    assert demo_portal_account_ensure() is None


def test_the_demo_customer_holds_one_policy_and_is_insured_by_another() -> None:
    b = book()
    found = demo_portal_account_ensure()
    assert found is not None and found.customer_id == b.wang
    assert (found.as_policyholder, found.as_insured) == (P1, P2)
    assert demo_portal_account_ensure() == found  # once
    signed = portal_login(
        principal=System("portal:visitor"),
        id_type=found.id_type,
        id_number=found.id_number,
        password=DEMO_PORTAL_PASSWORD,
    )
    assert signed.customer_id == b.wang
