"""The 导出 button in Chromium (issue 12): without an approved export request it opens the
export request page, prefilled with the list and its filters; once the request is approved the
same button downloads the watermarked workbook (openpyxl reads it). The /problems/ layout: the
dates on one line and the English table inside its card, from 1280 px to 1920 px."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from tests.web.browsing import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_export_button_asks_for_approval_then_downloads(
    browser, live_server, personas, tmp_path
):
    from tests.cases.test_listing import make_items
    from veracity.access.governance import access_request_decide
    from veracity.access.models import AccessRequest
    from veracity.audit.models import Action, AuditEvent
    from veracity.org.principals import Staff

    make_items()
    sam = signed_in(browser, live_server, "sam")
    sam.goto(f"{live_server.url}/problems/?channel=bancassurance")
    button = sam.locator("#problems-export")
    assert button.get_attribute("download") is None
    button.click()
    # no approval held: the export request page, the list and its filter already filled in
    sam.wait_for_url(re.compile(r"/access/new/\?"))
    assert sam.locator("#id_kind").input_value() == "export"
    assert sam.locator("#id_export_of").input_value() == "problem_items"
    assert sam.locator("#id_purpose").input_value() == "problem_item"
    assert "销售渠道 银行保险" in sam.locator("#id_reason").input_value()
    sam.get_by_role("button", name=re.compile("提交")).click()
    sam.wait_for_url(re.compile(r"/access/\d+/$"))
    made = AccessRequest.objects.get(requester=personas["sam"], kind="export")
    assert "销售渠道 银行保险" in made.reason
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()

    access_request_decide(principal=Staff(personas["ivan"]), request_id=made.pk, approve=True)

    # approved: the same button downloads the watermarked workbook
    sam.goto(f"{live_server.url}/problems/?channel=bancassurance")
    with sam.expect_download() as download_info:
        sam.locator("#problems-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    assert "sam" in book.properties.description and f"#{made.pk}" in book.properties.description
    assert f"#{made.pk}" in book.active.oddHeader.left.text
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    assert sorted(r[14] for r in rows) == ["王*芳", "赵*海"]
    [event] = AuditEvent.objects.filter(action=Action.EXPORT)
    assert (event.actor, event.object_id) == ("sam", str(made.pk))
    sam.context.close()


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_the_problem_list_fits_its_card(browser, live_server, personas, width):
    from tests.cases.test_listing import make_items

    make_items()
    page = signed_in(browser, live_server, "sam")
    page.goto(f"{live_server.url}/problems/")
    for language in ("zh-hans", "en"):
        page.evaluate(
            """async (lang) => {
                const token = document.cookie.match(/csrftoken=([^;]+)/);
                const body = new URLSearchParams({language: lang, next: "/problems/"});
                await fetch("/i18n/setlang/", {method: "POST", body,
                    headers: {"X-CSRFToken": token ? token[1] : ""}});
            }""",
            language,
        )
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/problems/")
        assert ("Investigation deadline" in page.content()) == (language == "en")
        sizes = page.evaluate(
            """() => {
                const wrap = document.querySelector("table.problems").parentElement;
                const card = wrap.closest(".card");
                const dates = [...document.querySelectorAll("table.problems td.date")];
                return {table: wrap.scrollWidth, wrap: wrap.clientWidth,
                        card: card.getBoundingClientRect().right,
                        right: document.querySelector("table.problems")
                            .getBoundingClientRect().right,
                        nowrap: dates.every(d => getComputedStyle(d).whiteSpace === "nowrap")};
            }"""
        )
        assert sizes["table"] <= sizes["wrap"], (language, width, sizes)
        assert sizes["right"] <= sizes["card"], (language, width, sizes)
        assert sizes["nowrap"], (language, width, sizes)
    page.context.close()
