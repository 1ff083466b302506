"""The chain verification's stored problems read as sentences in the page's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from veracity.web.templatetags.chain_problems import chain_problem


@pytest.mark.parametrize(
    ("stored", "chinese"),
    [
        ("seq 7..9 missing (deleted rows)", "第 7 至第 9 号事件缺失（记录被删除）。"),
        ("seq 30: link to previous event broken", "第 30 号事件：与前一事件的链接已断开。"),
        (
            "seq 30: content does not match its hash (altered)",
            "第 30 号事件：内容与其哈希值不符（已被改动）。",
        ),
    ],
)
def test_each_stored_form_reads_in_chinese(stored, chinese):
    with translation.override("zh-hans"):
        assert chain_problem(stored) == chinese


def test_english_and_unknown_lines():
    with translation.override("en"):
        assert chain_problem("seq 30: link to previous event broken") == (
            "Event No. 30: the link to the event before it is broken."
        )
    assert chain_problem("anchor 2026-12-01: head 5 not in the chain") == (
        "anchor 2026-12-01: head 5 not in the chain"
    )
