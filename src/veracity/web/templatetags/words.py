"""Words for people: codes shown as words in the page's language (the code at most in a
``title=`` tooltip). ``{% load words %}`` then ``{{ f.code|finding_name }}``,
``{{ f.field|field_words }}``, ``{{ item.rule|rule_name }}``."""

from __future__ import annotations

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
    return _finding_name(str(code), _language())


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
    """Where a submission came from: ``import`` -> 文件导入, ``api:core`` -> 接口（核心业务系统）."""
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
