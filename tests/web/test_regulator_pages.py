"""The regulator report's pages: the list and prepare form, an edition's preview, the two
reviews, downloads, filings and corrections — each through the one service, each refusal
shown in words."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from tests.conduct.conftest import Book
from veracity.conduct.models import RegulatorFiling, RegulatorReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas) -> Book:
    return Book(personas)


@pytest.fixture
def quarter(book):
    seller = book.seller("AG1", "张<b>三</b>")
    book.penalty(seller, date(2026, 10, 8), policies=(book.policy(seller),))
    return "2026Q4"


def test_the_whole_way_through_the_pages(login, personas, quarter) -> None:
    mike = login(personas["mike"])
    page = mike.get("/regulator-reports/")
    assert page.status_code == 200 and "编制并提交审核" in page.content.decode()
    response = mike.post("/regulator-reports/prepare/", {"quarter": quarter})
    report = RegulatorReport.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/regulator-reports/{report.pk}/"
    )
    detail = mike.get(response["Location"]).content.decode()
    assert "AG1" in detail and "张&lt;b&gt;三&lt;/b&gt;" in detail and "审核中" in detail
    for username in ("ivan", "mona"):
        reviewer = login(personas[username])
        assert (
            'id="review-form"' in reviewer.get(f"/regulator-reports/{report.pk}/").content.decode()
        )
        reviewer.post(f"/regulator-reports/{report.pk}/review/", {"decision": "approve"})
    report.refresh_from_db()
    assert report.status == RegulatorReport.Status.RELEASED
    olga = login(personas["olga"])
    for fmt in ("pdf", "xlsx", "json"):
        file = olga.get(f"/regulator-reports/{report.pk}/download/?format={fmt}")
        assert file.status_code == 200
        assert hashlib.sha256(file.content).hexdigest() == report.files[fmt]
    olga.post(
        f"/regulator-reports/{report.pk}/filings/",
        {"recipient": "regulator", "filed_on": date.today().isoformat(), "means": "报送系统"},
    )
    assert RegulatorFiling.objects.filter(report=report, recipient="regulator").exists()
    assert "报送系统" in olga.get(f"/regulator-reports/{report.pk}/").content.decode()


def test_refusals_are_words_and_change_nothing(login, personas, quarter) -> None:
    mike = login(personas["mike"])
    mike.post("/regulator-reports/prepare/", {"quarter": quarter})
    report = RegulatorReport.objects.get()
    ivan = login(personas["ivan"])
    ivan.post(f"/regulator-reports/{report.pk}/review/", {"decision": "approve"})
    again = ivan.post(
        f"/regulator-reports/{report.pk}/review/", {"decision": "approve"}, follow=True
    )
    assert "两项审核须由两位不同人员作出" in again.content.decode()
    assert mike.post(f"/regulator-reports/{report.pk}/filings/", {}).status_code == 403
    assert login(personas["alice"]).get("/regulator-reports/").status_code == 403
    assert login(personas["alice"]).get(f"/regulator-reports/{report.pk}/").status_code == 403
    report.refresh_from_db()
    assert (
        report.status == RegulatorReport.Status.IN_REVIEW and not RegulatorFiling.objects.exists()
    )


def test_a_missing_edition_is_not_found(login, personas, db) -> None:
    assert login(personas["mike"]).get("/regulator-reports/999/").status_code == 404
