"""The password rules (AUTH_PASSWORD_VALIDATORS): 12 characters, not like the user's name,
not common (Django's list and common Chinese choices), not only digits."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model()(
        username="alice", first_name="Alice", last_name="李爱丽", email="alice.li@example.com"
    )


def refusal_codes(password: str, user) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        # the examples
        (
            "20261202",
            {"password_too_short", "password_entirely_numeric", "password_common_chinese"},
        ),
        ("alicealice", {"password_too_short", "password_repeated"}),
        ("veracity", {"password_too_short", "password_product_name"}),
        ("baoxian1", {"password_too_short", "password_common_chinese"}),
        # long enough, still weak
        ("202612022026", {"password_entirely_numeric", "password_common_chinese"}),
        ("alicealicealice", {"password_repeated"}),
        ("alice.li@example", {"password_too_similar"}),
        ("veracity-demo", {"password_product_name"}),
        ("Veracity2026!!", {"password_product_name"}),
        ("baoxian123456", {"password_common_chinese"}),
        ("woaini1314520", {"password_common_chinese"}),
        ("Zhongguo2026!", {"password_common_chinese"}),
        ("zhangwei19850314", {"password_common_chinese"}),
        ("1985-03-14-pingan", {"password_common_chinese"}),
        ("qwerty123456abc", {"password_common_chinese"}),
        ("abcabcabcabc", {"password_repeated"}),
        ("password1234", {"password_too_common", "password_common_chinese"}),
        ("123456789012", {"password_entirely_numeric", "password_common_chinese"}),
        # good ones
        ("Correct-Horse-Battery-9", set()),
        ("baoxian-is-my-trade-7", set()),
        ("mei-gui-hua-kai-2026", set()),
        ("J7#kq9!Lm2pX", set()),
    ],
)
def test_password_rules(alice, password, codes):
    assert refusal_codes(password, alice) == codes


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-hans", "密码仅由常见词（如拼音词）、日期和数字或键盘序列组成"),
        ("en", "The password is made of common words (such as pinyin words)"),
    ],
)
def test_refusals_in_both_languages(alice, language, text):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        validate_password("baoxian123456", alice)
    assert any(text in message for message in refused.value.messages)


def test_the_demo_password_would_be_refused_but_demo_users_are_made_without_it(db):
    """The demo logins share ``veracity-demo`` (the README prints it); it is set
    programmatically, not through the validators, and the demo keeps working."""
    from veracity.demo.accounts import DEMO_PASSWORD, demo_users_ensure

    assert refusal_codes(DEMO_PASSWORD, None) == {"password_product_name"}
    demo_users_ensure()
    assert get_user_model().objects.get(username="alice").check_password(DEMO_PASSWORD)
