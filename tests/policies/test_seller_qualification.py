"""SF-1 on the import path: every batch — those checked in the preparing child too — is
checked against the one seller snapshot taken for the file."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, base_application
from tests.sales.factories import qualify
from veracity.audit.services import Actor
from veracity.policies.services import applications_import
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_batch_of_an_import_checks_the_seller():
    Seller.objects.create(code="AG00017", kind=SellerKind.AGENT, name="未培训")
    qualify(Seller.objects.create(code="AG00018", kind=SellerKind.AGENT, name="已培训"))
    rows = []
    for i in range(6):
        app = base_application(f"Q{i}")
        app["seller"] = {"code": "AG00017" if i % 2 == 0 else "AG00018", "agency_code": None}
        app["policyholder"]["phones"] = [f"1380013{i:04d}"]
        rows.append((i + 1, app))
    report = applications_import(rows, actor=Actor.system("test"), as_of=TODAY, batch_size=1)
    assert (report.failed, report.passed) == (3, 3), report.failed_rows
    for line, _, codes in report.failed_rows:
        assert line % 2 == 1 and codes == ["SELLER_UNQUALIFIED@seller.code"]
