"""The screen check fails on each kind of defect, and passes a clean Chinese page."""

from __future__ import annotations

import pytest

from tests.web.screen_check import defects, failure_message, parse_po, text_defects

CLEAN = """<!doctype html><html lang="zh-hans"><body>
<h1>问题件</h1><p>保费由非投保人账户支付</p>
<p><span title="THIRD_PARTY_PAYER">第三方付款</span> · 档案号 C0000000010</p>
<p>Veracity · 导出 Excel</p>
<button style="color:#fff;background:#1f5fa8">标为已读</button>
<a class="btn" href="#" style="color:#1f5fa8;background:#fff">移除</a>
</body></html>"""


def page_with(body: str, lang: str = "zh-hans") -> str:
    return f'<!doctype html><html lang="{lang}"><body><h1>问题件</h1>{body}</body></html>'


@pytest.mark.parametrize(
    ("text", "kind", "snippet"),
    [
        ("规则：THIRD_PARTY_PAYER", "finding or rule code", "THIRD_PARTY_PAYER"),
        ("失败原因 ID_CHECKSUM、OUT_OF_SCOPE", "finding or rule code", "ID_CHECKSUM"),
        ("操作 view_personal_data", "internal code", "view_personal_data"),
        ("依据 D4.25 保存", "article reference", "D4.25"),
        ("依据制度1 第7、13条", "article reference", "第7、13条"),
        ("依据制度1 第7、13条", "article reference", "制度1"),
        ("见第7条", "article reference", "第7条"),
        ("请运行 veracity retention-run --as admin", "command line", "veracity retention-run"),
        ("请运行 veracity retention-run --as admin", "command line", "--as"),
        ("Records are kept for the period below.", "English words", None),
        ("Back to the home page", "untranslated message", "Back to the home page"),
        ("系统管理 部门s 员工信息s", "English plural on a Chinese word", "部门s"),
    ],
)
def test_each_kind_of_defect_in_the_text_is_found(text, kind, snippet):
    found = text_defects(text, "http://x/p/")
    assert any(d.kind == kind and (snippet is None or d.text == snippet) for d in found), found


@pytest.mark.parametrize(
    "text",
    [
        "保费由非投保人账户支付 · 档案号 C0000000010",
        "导出 Excel · Veracity · 2026-12-02 10:30",
        "联系邮箱 sam.li@example.com",
        "孙明 校验了截至第 8 条的 12 条事件",
        "密钥 OP QSIE IDBY CZKH HUNC",
        "English",
    ],
)
def test_chinese_text_passes(text):
    assert text_defects(text, "http://x/") == []


def test_a_msgid_without_translation_on_the_page_is_found():
    catalogue = parse_po('msgid ""\nmsgstr ""\n\nmsgid "Waiting"\nmsgstr ""\n')
    assert catalogue == {"Waiting": ""}
    found = text_defects("状态：\nWaiting", "http://x/", msgids=catalogue)
    assert [d.kind for d in found] == ["untranslated message"]


def test_the_failure_message_names_the_text_and_the_page():
    found = text_defects("规则 SHARED_PHONE", "http://x/problems/")
    message = failure_message(found)
    assert "SHARED_PHONE" in message and "http://x/problems/" in message


@pytest.mark.browser
@pytest.mark.no_screen_check
def test_a_rendered_page_with_every_defect_fails(page):
    page.set_content(
        page_with(
            "<p>SHARED_PHONE 依据 D1.13</p><p>This page has not been translated yet.</p>"
            '<button style="color:#fff;background:#fff">标为已读</button>'
            '<div style="background:#fafafa">'
            '<a class="btn" href="#" style="color:#fafafa">移除</a></div>'
            '<button style="display:none;color:#fff;background:#fff">隐藏</button>'
        )
    )
    found = defects(page)
    kinds = {d.kind for d in found}
    assert kinds == {
        "finding or rule code",
        "article reference",
        "English words",
        "button unreadable",
    }, found
    unreadable = [d.text for d in found if d.kind == "button unreadable"]
    assert len(unreadable) == 2 and unreadable[0].startswith("标为已读"), unreadable
    assert "about:blank" in failure_message(found)


@pytest.mark.browser
def test_a_clean_chinese_page_passes_and_english_pages_are_not_checked(page):
    page.set_content(CLEAN)
    assert defects(page) == []
    page.set_content(page_with("<p>SHARED_PHONE is a code shown to English readers</p>", "en"))
    assert defects(page) == []


def test_every_message_marked_in_the_sources_is_in_the_catalogue():
    """A {% translate %} or _() message missing from django.po is shown in English on the
    Chinese pages: add it, with its translation, to the .po (then msgfmt)."""
    from tests.web.screen_check import PO_FILE, marked_messages

    known = parse_po(PO_FILE.read_text(encoding="utf-8"))
    missing = sorted(m for m in marked_messages() - set(known) if any(c.isalpha() for c in m))
    assert not missing, "missing from django.po:\n" + "\n".join(missing)
