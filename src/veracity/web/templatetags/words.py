"""Words for people: codes shown as words in the page's language (the code at most in a
``title=`` tooltip). ``{% load words %}`` then ``{{ f.code|finding_name }}``,
``{{ f.field|field_words }}``, ``{{ item.rule|rule_name }}``."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.translation import get_language

from veracity.core.detection import RULE_NAMES, Rule
from veracity.core.findings import field_words as _field_words
from veracity.core.findings import finding_name as _finding_name

register = template.Library()


def _language() -> str:
    return get_language() or "zh-hans"


@register.filter
def finding_name(code: str) -> str:
    """A gate finding's short name: ``ACCOUNT_LUHN`` -> 银行卡号未通过校验."""
    return _finding_name(str(code), chinese=_language().startswith("zh"))


@register.filter
def field_words(field: str) -> str:
    """A field path in words: ``payer_account.number`` -> 付款账户持有人银行账号."""
    return _field_words(str(field), _language()) if field else ""


@register.filter
def rule_name(code: str) -> str:
    """A detection rule's name: ``SHARED_PHONE`` -> 不同客户使用同一电话号码."""
    try:
        zh, en = RULE_NAMES[Rule(str(code))]
    except ValueError:
        return "其他线索" if _language().startswith("zh") else "Other clue"
    return zh if _language().startswith("zh") else en


@register.filter
def source_name(source: str) -> str:
    """Where a submission came from: ``import`` -> 文件导入, ``api:core`` -> 接口（核心系统）."""
    from django.utils.translation import gettext

    kind, _, system = str(source).partition(":")
    systems = {
        "core": gettext("Core business system"),
        "bancassurance": gettext("Bancassurance system (银保通)"),
    }
    if kind == "api":
        via = systems.get(system, gettext("another system"))
        return gettext("API (%(system)s)") % {"system": via}
    names = {
        "import": gettext("File import"),
        "ui": gettext("Entered on a page"),
        "cli": gettext("Command"),
        "demo": gettext("Demo data"),
    }
    return names.get(kind, gettext("Other source"))


_CJK = re.compile(r"[\u3400-\u9fff]")


@register.filter
def in_page_language(text: str) -> str:
    """Of a text kept in both languages, one paragraph each (a retention rule's basis), the
    paragraphs in the page's language: those with Chinese characters on a Chinese page, the
    others on an English page. A text in one language only is shown as it is."""
    paragraphs = [p for p in str(text or "").split("\n") if p.strip()]
    chinese = [p for p in paragraphs if _CJK.search(p)]
    other = [p for p in paragraphs if not _CJK.search(p)]
    if not chinese or not other:
        return "\n".join(paragraphs)
    return "\n".join(chinese if _language().startswith("zh") else other)


@register.filter
def person(user: Any) -> str:
    """A person by name (the full name; the login only when no name is recorded)."""
    if user is None or user == "":
        return ""
    full = str(getattr(user, "get_full_name", lambda: "")() or "").strip()
    return full or str(getattr(user, "get_username", lambda: user)())
