"""A password validator for what Chinese users choose and Django's English list misses.

Refused:

- the product's name (``veracity``) anywhere in the password;
- one word repeated (``alicealice``, ``abcabcabcabc``, ``123123123123``);
- a password that is nothing but common pinyin words (``woaini``, ``baoxian``, ``zhongguo``
  …), dates (``20261202``, ``1985-03-14``), digit runs and keyboard runs once separators
  are set aside: fewer than ``min_rest`` characters of anything else remain
  (``baoxian123456``, ``woaini1314520``, ``zhongguo2026!``).

A passphrase with a word of its own (``baoxian-is-my-trade-7``) passes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PRODUCT_NAMES: Final = ("veracity",)

#: Pinyin (and a few English) words that Chinese users build passwords from; longest first
#: so ``woaini`` is taken before ``wo``.
COMMON_WORDS: Final = tuple(
    sorted(
        {
            "woaini",
            "aini",
            "woaiwojia",
            "wojia",
            "baoxian",
            "renshou",
            "shouxian",
            "pingan",
            "taiping",
            "taikang",
            "xinhua",
            "zhongguo",
            "china",
            "beijing",
            "shanghai",
            "shenzhen",
            "guangzhou",
            "tianjin",
            "hangzhou",
            "nanjing",
            "wuhan",
            "chengdu",
            "mima",
            "mimamima",
            "password",
            "passwd",
            "admin",
            "root",
            "user",
            "guest",
            "qwerty",
            "asdf",
            "zxcv",
            "qaz",
            "wsx",
            "abc",
            "abcd",
            "iloveyou",
            "love",
            "laopo",
            "laogong",
            "baobao",
            "baobei",
            "xiaobao",
            "xiaoming",
            "xiaohong",
            "wang",
            "zhang",
            "li",
            "liu",
            "chen",
            "yang",
            "huang",
            "zhao",
            "zhou",
            "wu",
            "xu",
            "sun",
            "ma",
            "zhu",
            "hu",
            "guo",
            "he",
            "lin",
            "gao",
            "luo",
            "zheng",
            "liang",
            "xie",
            "song",
            "tang",
            "han",
            "feng",
            "deng",
            "cao",
            "peng",
            "zeng",
            "xiao",
            "tian",
            "dong",
            "pan",
            "yuan",
            "cai",
            "jiang",
            "yu",
            "du",
            "ye",
            "cheng",
            "wei",
            "su",
            "lu",
            "ding",
            "ren",
            "shen",
            "yao",
            "jiayou",
            "kuaile",
            "xingfu",
            "pingping",
            "anquan",
            "jinqian",
            "qian",
            "facai",
            "gongxi",
            "fuqi",
            "aiqing",
            "tiantian",
            "shengri",
            "nihao",
            "hello",
            "welcome",
            "huanying",
            "dragon",
            "long",
            "hao",
            "haoren",
            "ai",
            "wo",
            "ni",
            "ta",
            "jia",
            "xin",
            "kaixin",
            "yongyuan",
        },
        key=lambda w: (-len(w), w),
    )
)
_WORDS_RE: Final = re.compile("|".join(re.escape(w) for w in COMMON_WORDS))
_KEYBOARD_RUNS: Final = (
    "1234567890",
    "0987654321",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
)
_DATE_RE: Final = re.compile(r"(19|20)\d\d[-./]?(0[1-9]|1[0-2])[-./]?(0[1-9]|[12]\d|3[01])")
_REPEATED_RE: Final = re.compile(r"(.+?)\1+", re.DOTALL)


def _without_dates(text: str) -> str:
    def real(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        try:
            date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            return match.group(0)
        return " "

    return _DATE_RE.sub(real, text)


def _without_runs(text: str) -> str:
    """Removes runs of three or more along a keyboard row, the alphabet or the digits."""
    out, i = [], 0
    while i < len(text):
        best = 1
        for row in _KEYBOARD_RUNS:
            start = row.find(text[i])
            if start < 0:
                continue
            n = 1
            while i + n < len(text) and start + n < len(row) and text[i + n] == row[start + n]:
                n += 1
            best = max(best, n)
        if best >= 3:
            out.append(" ")
            i += best
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def weak_rest(password: str) -> str:
    """What is left of a password once common words, dates, keyboard and digit runs and
    separators are set aside (digits of four or fewer — a year, ``1314``, ``520`` — too)."""
    text = password.lower()
    text = _without_dates(text)
    text = _WORDS_RE.sub(" ", text)
    text = _without_runs(text)
    text = re.sub(r"\d{1,4}", " ", text)
    return re.sub(r"[\W_]+", "", text)


class ChinesePasswordValidator:
    """See the module docstring. ``min_rest``: characters that must remain of the password
    once its common parts are set aside (default 4)."""

    def __init__(self, min_rest: int = 4) -> None:
        self.min_rest = min_rest

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        if any(name in lowered for name in PRODUCT_NAMES):
            raise ValidationError(
                _("The password must not contain the name of this system."),
                code="password_product_name",
            )
        if _REPEATED_RE.fullmatch(lowered):
            raise ValidationError(
                _("The password must not be one word or number repeated."),
                code="password_repeated",
            )
        if len(weak_rest(password)) < self.min_rest:
            raise ValidationError(
                _(
                    "The password is made of common words (such as pinyin words), dates and "
                    "number or keyboard sequences; add words of your own."
                ),
                code="password_common_chinese",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot contain the name of this system, be one word repeated, or "
            "be made only of common pinyin words, dates and number or keyboard sequences."
        )
