"""Click through one problem item in Chromium (issue 4): customer service distributes it
from the work queue; the agency channel's back-office claims it, uploads the customer's
signed confirmation and submits; compliance returns it once with a reason, the findings
come back, compliance verifies and closes; the item page's timeline shows every step."""

from __future__ import annotations

import re

import pytest

from tests.cases.conftest import PDF
from tests.web.browsing import done, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_item(page, live_server, item_id):
    page.goto(f"{live_server.url}/problems/queue/")
    page.locator(f"#item-{item_id} a", has_text=f"#{item_id}").click()
    page.wait_for_url(re.compile(rf"/problems/{item_id}/$"))


def submit_findings(page, findings):
    page.locator("#id_outcome_explained").check()
    page.fill("#id_findings", findings)
    page.get_by_role("button", name="提交核实").click()
    done(page, "调查结果已提交核实")


def test_one_item_from_distribution_to_closing(browser, live_server, personas, tmp_path):
    from tests.cases.test_listing import make_items
    from veracity.audit.models import AuditEvent
    from veracity.cases.models import CaseStep, Evidence, ProblemItem

    item = make_items()

    # customer service distributes it from the work queue (to its policies' channel)
    sam = signed_in(browser, live_server, "sam")
    sam.locator("#nav-queue").click()
    sam.wait_for_url(re.compile(r"/problems/queue/$"))
    sam.locator(f"#item-{item.pk} input[name=item]").check()
    sam.get_by_role("button", name="分发", exact=True).click()
    done(sam, "1件问题件已分发")
    assert sam.locator(f"#item-{item.pk}").count() == 0  # now the channel's to claim
    sam.context.close()

    # the agency channel's back-office claims it, uploads the signed confirmation, submits
    carol = signed_in(browser, live_server, "carol")
    open_item(carol, live_server, item.pk)
    assert "个人代理" in carol.locator("#case-state").inner_text()
    carol.get_by_role("button", name="认领", exact=True).click()
    done(carol, "您已认领该问题件")
    assert carol.locator("#case-stage").inner_text() == "调查中"
    scan = tmp_path / "客户签字确认书.pdf"
    scan.write_bytes(PDF)
    carol.select_option("#id_kind", "customer_confirmation")
    carol.fill("#id_description", "客户王小芳签字确认：与赵大海为夫妻，共用电话")
    carol.set_input_files("#id_file", str(scan))
    carol.get_by_role("button", name="上传", exact=True).click()
    done(carol, "证明材料已上传")
    evidence = carol.locator("#case-evidence").inner_text()
    assert "客户签字确认书.pdf" in evidence and Evidence.objects.get().sha256 in evidence
    submit_findings(carol, "两位客户为夫妻，共用家庭电话")
    carol.context.close()

    # compliance returns it once, with a reason
    dave = signed_in(browser, live_server, "dave")
    open_item(dave, live_server, item.pk)
    dave.fill("#id_reason", "请补充结婚证复印件")
    dave.get_by_role("button", name="退回", exact=True).click()
    done(dave, "调查结果已退回调查人")
    assert dave.locator("#case-stage").inner_text() == "已退回"

    # the investigator answers and submits again
    carol = signed_in(browser, live_server, "carol")
    open_item(carol, live_server, item.pk)
    assert "请补充结婚证复印件" in carol.locator("#case-timeline").inner_text()
    submit_findings(carol, "已补充结婚证，两位客户为夫妻")
    carol.context.close()

    # compliance verifies, then closes
    open_item(dave, live_server, item.pk)
    dave.fill("#id_verify_note", "材料齐全，属实")
    dave.get_by_role("button", name="核实", exact=True).click()
    done(dave, "调查结果已核实并生效")
    dave.get_by_role("button", name="关闭", exact=True).click()
    done(dave, "问题件已关闭")
    assert dave.locator("#case-stage").inner_text() == "已关闭"

    # the timeline shows every step, who took it and the stages it moved between
    timeline = dave.locator("#case-timeline")
    steps = timeline.locator("li")
    texts = [steps.nth(i).inner_text() for i in range(steps.count())]
    labels = ["已分发", "已认领", "已添加材料", "已提交", "已退回", "已提交", "已核实", "已关闭"]
    assert [t.split()[0] for t in texts] == labels, texts
    assert "sam" in texts[0] and "新建 → 已分发" in texts[0]
    assert "carol" in texts[1] and "已分发 → 调查中" in texts[1]
    assert "dave" in texts[4] and "请补充结婚证复印件" in texts[4]
    assert "已核实 → 已关闭" in texts[7]

    # the evidence is downloaded with a purpose, and the read is in the audit trail
    with dave.expect_download() as download:
        dave.locator("#case-evidence button", has_text="下载").click()
    assert download.value.suggested_filename == "客户签字确认书.pdf"
    assert AuditEvent.objects.filter(object_type="evidence", actor="dave").count() == 1
    dave.context.close()

    item.refresh_from_db()
    assert (item.stage, item.status, item.returned_times) == ("closed", "closed", 1)
    assert CaseStep.objects.filter(item=item).count() == 8
    assert ProblemItem.objects.get(pk=item.pk).assignee == personas["carol"]
