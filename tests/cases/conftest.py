"""Problem items to work on: two strangers on one phone (agency and bancassurance).

The item's agency policy is sold by AG1, an agent of terry's team; the bancassurance one by
BK7. Besides the demo personas there are two more back-office users: bella for
bancassurance (she sees the item through its second policy, but it is distributed to
agency) and dora for direct sales (she sees nothing of it)."""

from __future__ import annotations

import pytest

from tests.cases.test_listing import make_items
from veracity.cases.models import ProblemItem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def team(personas):
    """Sellers AG1 (led by terry) and BK7, before any policy names them."""
    from veracity.sales.models import Seller, SellerKind

    leader = Seller.objects.create(
        code="TL1", kind=SellerKind.AGENT, name="陶瑞", qualified=True, user=personas["terry"]
    )
    from tests.sales.factories import qualify_all

    made = {
        "TL1": leader,
        "AG1": Seller.objects.create(
            code="AG1", kind=SellerKind.AGENT, name="李爱丽", qualified=True, leader=leader
        ),
        "BK7": Seller.objects.create(
            code="BK7", kind=SellerKind.BANCA_SPECIALIST, name="白可", qualified=True
        ),
    }
    qualify_all()  # SF-1: their applications pass the seller check
    return made


@pytest.fixture
def staff(personas):
    """The personas plus bella (bancassurance back-office) and dora (direct back-office)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from veracity.org.models import Department, StaffProfile

    users = dict(personas)
    department = Department.objects.get(code="AGY")
    for username, channel in (("bella", "bancassurance"), ("dora", "direct")):
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
        user.groups.add(Group.objects.get(name="channel_backoffice"))
        StaffProfile.objects.create(user=user, department=department, channel=channel)
        users[username] = user
    return users


@pytest.fixture
def item(personas, team) -> ProblemItem:
    return make_items()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def attach_confirmation(principal, item_id: int) -> None:
    """The customer's signed confirmation, which verification needs (D1.13)."""
    from veracity.cases import services as cs

    cs.problem_item_attach(
        principal=principal,
        item_id=item_id,
        kind="customer_confirmation",
        description="customer's signed confirmation",
        filename="confirmation.pdf",
        data=PDF,
    )
