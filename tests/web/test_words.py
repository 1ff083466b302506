"""The words filters: codes shown as words in the page's language."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from veracity.web.templatetags import words

BASIS = "《保险法》第八十七条：十年。\nInsurance Law Art. 87: ten years."


@pytest.mark.parametrize(
    ("language", "call", "expected"),
    [
        ("zh-hans", lambda: words.finding_name("ACCOUNT_LUHN"), "银行卡号校验未通过"),
        ("en", lambda: words.finding_name("ACCOUNT_LUHN"), "Bank card check failed"),
        ("zh-hans", lambda: words.finding_name("NO_SUCH_CODE"), "其他问题"),
        ("zh-hans", lambda: words.field_words("payer_account"), "付款账户持有人"),
        ("zh-hans", lambda: words.field_words("policyholder.id_number"), "投保人证件号码"),
        ("zh-hans", lambda: words.field_words("beneficiaries[1].name"), "受益人2姓名"),
        ("zh-hans", lambda: words.field_words("applied_on"), "投保日期"),
        ("zh-hans", lambda: words.field_words("something_new"), "其他信息"),
        ("en", lambda: words.field_words("policyholder.id_number"), "Policyholder ID number"),
        ("zh-hans", lambda: words.rule_name("SHARED_PHONE"), "不同客户使用同一电话号码"),
        ("zh-hans", lambda: words.rule_name("NOT_A_RULE"), "其他线索"),
        ("zh-hans", lambda: words.source_name("import"), "文件导入"),
        ("zh-hans", lambda: words.source_name("api:core"), "接口提交（核心业务系统）"),
        ("en", lambda: words.source_name("import"), "File import"),
        ("zh-hans", lambda: words.source_name("whatever"), "其他来源"),
        ("zh-hans", lambda: words.in_page_language(BASIS), "《保险法》第八十七条：十年。"),
        ("en", lambda: words.in_page_language(BASIS), "Insurance Law Art. 87: ten years."),
        ("en", lambda: words.in_page_language("只有中文"), "只有中文"),
    ],
)
def test_words(language, call, expected):
    with translation.override(language):
        assert call() == expected


@pytest.mark.django_db
def test_a_person_by_name_else_by_login():
    named = get_user_model().objects.create_user("sunming", first_name="孙", last_name="明")
    plain = get_user_model().objects.create_user("carol")
    assert words.person(named).replace(" ", "") in {"孙明", "明孙"}
    assert words.person(plain) == "carol"
    assert words.person(None) == ""


def test_products_by_name():
    from veracity.policies.models import Product

    assert Product(code="HLT-5", name="康健重大疾病保险").label() == "康健重大疾病保险"
    assert Product(code="HLT-5", name="").label() == "HLT-5"
    assert Product(code="HLT-5", name="HLT-5").label() == "HLT-5"
