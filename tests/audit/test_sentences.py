"""Audit events as sentences (issue 12): the main actions in Chinese and in English, people by
name with the login in a tooltip, customers by file number, purposes and steps as words, links
only where the reader may open the object, and no code ever — not even for an unknown action."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation

from veracity.audit.models import Action, AuditEvent
from veracity.audit.sentences import Context, Person, customer_ids_of, detail_fields, sentence

SUN = Person(name="孙明", login="sam")
CTX = Context(people={5: SUN}, numbers={10: "C0000000010", 11: "C0000000011"})


def event(action: str, **fields) -> AuditEvent:
    detail = fields.pop("detail", {})
    return AuditEvent(
        seq=1,
        actor=fields.pop("actor", "sam"),
        actor_id=fields.pop("actor_id", 5),
        action=action,
        detail=json.dumps(detail, ensure_ascii=False) if detail else "",
        **fields,
    )


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


VIEW = {"object_type": "customer", "object_id": "10", "customer_id": 10}

CASES = [
    (
        event(Action.VIEW_PERSONAL_DATA, purpose="problem_item", **VIEW),
        "孙明 查看了客户 C0000000010 的个人信息，目的：问题件调查",
        "孙明 viewed the personal data of customer C0000000010, purpose: "
        "Problem-item investigation",
    ),
    (
        event(Action.UNMASK, purpose="callback", detail={"fields": ["id_number", "phone"]}, **VIEW),
        "孙明 查看了客户 C0000000010 的完整证件号码、电话号码，目的：回访",
        "孙明 viewed the full ID number, phone number of customer C0000000010, purpose: Callback",
    ),
    (
        event(
            Action.SEARCH_PERSONAL_DATA,
            object_type="customer",
            purpose="customer_service",
            detail={"kind": "name", "results": [10, 11]},
        ),
        "孙明 按姓名查询客户，找到 2 位，目的：客户服务查询",
        "孙明 searched customers by name and found 2, purpose: Customer-service inquiry",
    ),
    (
        event(
            Action.ACCESS_REQUEST,
            object_type="access_request",
            object_id="7",
            purpose="callback",
            detail={"kind": "borrow", "customers": [10]},
        ),
        "孙明 申请访问客户 C0000000010 的档案（第 7 号访问申请），目的：回访",
        "孙明 asked for access to customer C0000000010 (access request No. 7), purpose: Callback",
    ),
    (
        event(
            Action.APPROVAL,
            object_type="access_request",
            object_id="7",
            detail={"step": "head", "approve": True},
        ),
        "孙明 批准了第 7 号访问申请",
        "孙明 approved access request No. 7",
    ),
    (
        event(
            Action.APPROVAL,
            object_type="access_request",
            object_id="7",
            detail={"step": "head", "approve": False, "reason": "无依据"},
        ),
        "孙明 驳回了第 7 号访问申请",
        "孙明 rejected access request No. 7",
    ),
    (
        event(
            Action.ACCESS_REFUSED,
            object_type="customer",
            object_id="10",
            detail={"action": "customers.view", "purpose": "callback"},
        ),
        "孙明 被拒绝访问客户 C0000000010，目的：回访",
        "孙明 was refused access to customer C0000000010, purpose: Callback",
    ),
    (
        event(
            Action.ACCESS_REFUSED,
            object_type="page",
            object_id="/audit/",
            detail={"action": "audit.read", "path": "/audit/"},
        ),
        "孙明 打开无权访问的页面，被拒绝",
        "孙明 was refused a page they may not open",
    ),
    (
        event(Action.LOGIN),
        "孙明 登录了系统",
        "孙明 signed in",
    ),
    (
        event(
            Action.GRANT_EXPIRED,
            actor="system:grant-expiry",
            actor_id=None,
            object_type="access_grant",
            object_id="3",
            customer_id=11,
        ),
        "客户 C0000000011 档案的借阅已到期（第 3 号借阅）",
        "The borrowing of customer C0000000011's file ended (borrowing No. 3)",
    ),
]


@pytest.mark.parametrize(("e", "zh", "en"), CASES)
def test_main_actions_as_sentences(e, zh, en):
    with translation.override("zh-hans"):
        assert text(sentence(e, CTX)) == zh
    with translation.override("en"):
        assert text(sentence(e, CTX)) == en


def test_case_steps_in_words(settings):
    e = event(
        Action.CASE_STEP,
        object_type="problem_item",
        object_id="4",
        detail={"step": "verify", "from": "submitted", "to": "verified"},
    )
    with translation.override("zh-hans"):
        assert text(sentence(e, CTX)) == "孙明 在第 4 号问题件上记录了一步：已核实"
        fields = dict(detail_fields(e, CTX))
        assert fields["步骤"] == "已核实" and fields["原阶段"] == "已提交"
    with translation.override("en"):
        assert text(sentence(e, CTX)) == "孙明 recorded on problem item No. 4: Verified"


def test_the_login_is_a_tooltip_and_names_are_escaped():
    with translation.override("zh-hans"):
        html = sentence(event(Action.LOGIN), CTX)
        assert '<span class="person" title="sam">孙明</span>' in html
        odd = event(Action.LOGIN, actor="<b>x</b>", actor_id=None)
        assert "<b>" not in sentence(odd, CTX) and "&lt;b&gt;x&lt;/b&gt;" in sentence(odd, CTX)


def test_links_only_where_the_reader_may_open():
    linked = Context(
        people=CTX.people,
        numbers=CTX.numbers,
        link=lambda t, i: f"/customers/{i}/" if t == "customer" else "",
    )
    e = event(Action.VIEW_PERSONAL_DATA, **VIEW)
    assert '<a href="/customers/10/">C0000000010</a>' in sentence(e, linked)
    assert "<a " not in sentence(e, CTX)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_unknown_actions_read_as_a_sentence_never_a_code(lang):
    unknown = event("teleport", object_type="spaceship", object_id="9")
    known = event(Action.KEY_ROTATION)
    with translation.override(lang):
        said = text(sentence(unknown, CTX))
        assert "teleport" not in said and "spaceship" not in said
        assert said.startswith("孙明")
        assert "key_rotation" not in text(sentence(known, CTX))
    with translation.override("zh-hans"):
        assert text(sentence(unknown, CTX)) == "孙明 进行了一项此处未加说明的操作（一条记录）"
        assert text(sentence(known, CTX)) == "孙明：轮换加密密钥（一条记录）"


def test_the_customers_of_a_page_are_collected_for_one_look_up():
    events = [
        event(Action.VIEW_PERSONAL_DATA, **VIEW),
        event(Action.ACCESS_REQUEST, detail={"customers": [11, 12]}),
        event(Action.ACCESS_REFUSED, object_type="customer", object_id="13"),
    ]
    assert customer_ids_of(events) == {10, 11, 12, 13}


def test_a_name_search_shows_its_masked_text_as_a_labelled_field():
    e = event(Action.SEARCH_PERSONAL_DATA, detail={"kind": "name", "query": "王*", "results": [10]})
    with translation.override("zh-hans"):
        assert detail_fields(e, CTX) == [
            ("类别", "姓名"),
            ("查询内容（已脱敏）", "王*"),
            ("结果", "C0000000010"),
        ]
