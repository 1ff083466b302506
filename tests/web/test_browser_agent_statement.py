"""An agent assists on an item of her own book in Chromium (D1.13): alice, who sold the
item's agency policy, opens it from her work queue, sees her own customer only and no step
but the statement, writes her statement (情况说明) with a signed copy; the investigator reads
it on the timeline and the evidence list."""

from __future__ import annotations

import re

import pytest

from tests.cases.conftest import PDF
from tests.web.browsing import done, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_adds_a_statement(browser, live_server, personas, tmp_path):
    from tests.cases.test_listing import make_items
    from veracity.cases import services as cs
    from veracity.cases.models import CaseStep, Evidence
    from veracity.org.principals import Staff
    from veracity.policies.models import Policy
    from veracity.sales.models import Seller, SellerKind

    item = make_items()
    seller = Seller.objects.create(
        code="AG1", kind=SellerKind.AGENT, name="李爱丽", qualified=True, user=personas["alice"]
    )
    Policy.objects.filter(seller_code="AG1").update(seller=seller)
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)

    alice = signed_in(browser, live_server, "alice")
    alice.locator("#nav-queue").click()
    alice.wait_for_url(re.compile(r"/problems/queue/$"))
    assert alice.locator("#queue-export").count() == 0
    alice.locator(f"#item-{item.pk} a", has_text=f"#{item.pk}").click()
    alice.wait_for_url(re.compile(rf"/problems/{item.pk}/$"))
    members = alice.locator("#case-members").inner_text()
    assert "王*芳" in members and "赵*海" not in members  # her own customer only
    forms = alice.locator("#case-actions form")
    assert forms.count() == 1 and forms.first.get_attribute("id") == "form-statement"

    # an empty statement is refused in words, nothing recorded
    alice.get_by_role("button", name="提交说明").click()
    alice.locator("#form-statement .alert-error", has_text="请填写情况说明").wait_for()
    assert not CaseStep.objects.filter(action="statement").exists()

    scan = tmp_path / "情况说明.pdf"
    scan.write_bytes(PDF)
    alice.fill("#id_statement", "两位客户为夫妻，共用家庭电话，本人上门见证。")
    alice.set_input_files("#id_statement_file", str(scan))
    alice.get_by_role("button", name="提交说明").click()
    done(alice, "您的情况说明已添加到该问题件")
    timeline = alice.locator("#case-timeline").inner_text()
    assert "营销员情况说明" in timeline and "本人上门见证" in timeline
    assert "情况说明.pdf" in alice.locator("#case-evidence").inner_text()
    alice.context.close()

    evidence = Evidence.objects.get(item=item)
    assert (evidence.kind, evidence.uploaded_by) == ("agent_statement", personas["alice"])

    # the investigator reads it
    carol = signed_in(browser, live_server, "carol")
    carol.goto(f"{live_server.url}/problems/{item.pk}/")
    assert "本人上门见证" in carol.locator("#case-timeline").inner_text()
    assert "营销员情况说明" in carol.locator("#case-evidence").inner_text()
    carol.context.close()
