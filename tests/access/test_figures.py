"""The home pages' approvals figure: what waits for my decision, by kind; who approves."""

from __future__ import annotations

import pytest

from veracity.access import figures
from veracity.access.governance import access_request_submit
from veracity.org.principals import Staff, system

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "approver"),
    [
        ("alice", False),
        ("carol", False),
        ("audrey", False),
        ("terry", False),
        ("henry", True),  # heads the agency channel department
        ("dave", True),  # heads compliance
        ("sam", True),  # customer service approves borrowing
        ("ivan", True),
        ("mona", True),
        ("george", True),
    ],
)
def test_who_approves(personas, username, approver):
    assert figures.may_approve(principal=Staff(personas[username])) is approver


def test_approvals_waiting_by_kind(personas):
    export = access_request_submit(
        principal=system("test", person=personas["sam"]),
        customer_ids=[],
        subject="清单导出",
        purpose="problem_item",
        reason="to the channels",
        kind="export",
        export_of="problem_items",
    )
    assert export.steps == ["export_approver"]
    [(kind, label, n)] = figures.approvals_waiting(principal=Staff(personas["george"]))
    assert (kind, n) == ("access.export", 1)
    assert label == "导出客户信息"
    # the requester does not decide her own request; others not named see nothing
    assert figures.approvals_waiting(principal=Staff(personas["sam"])) == []
    assert figures.approvals_waiting(principal=Staff(personas["henry"])) == []
