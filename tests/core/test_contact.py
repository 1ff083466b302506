from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veracity.core.contact import (
    check_email,
    check_phone,
    normalise_address,
    normalise_email,
    normalise_phone,
    normalise_phone_slow,
)


@pytest.mark.parametrize(
    ("raw", "e164", "kind"),
    [
        ("13800138000", "+8613800138000", "mobile"),
        ("138 0013 8000", "+8613800138000", "mobile"),
        ("+86 138-0013-8000", "+8613800138000", "mobile"),
        ("0086 13800138000", "+8613800138000", "mobile"),
        ("+8613800138000", "+8613800138000", "mobile"),
        ("１３８００１３８０００", "+8613800138000", "mobile"),
        ("(010) 6552-9988", "+861065529988", "fixed"),
        ("010-65529988", "+861065529988", "fixed"),
        ("021 5888 1234", "+862158881234", "fixed"),
    ],
)
def test_valid_phones(raw: str, e164: str, kind: str) -> None:
    facts = normalise_phone(raw)
    assert facts.valid
    assert facts.e164 == e164
    assert facts.kind == kind
    assert check_phone(raw, field="policyholder.phones[0]")[1] == []


@pytest.mark.parametrize("raw", ["12345", "10000000000", "1380013800", "138001380001", "abc", ""])
def test_invalid_phones(raw: str) -> None:
    facts, findings = check_phone(raw, field="policyholder.phones[1]")
    assert not facts.valid and facts.e164 is None
    assert [f.code for f in findings] == ["PHONE_INVALID"]
    f = findings[0]
    assert f.field == "policyholder.phones[1]"
    assert f.message_zh.startswith("投保人联系电话")
    if len(raw) >= 8:
        assert raw not in str(f.evidence)


def test_same_number_typed_differently_has_one_key() -> None:
    typed = ["+86 138-0013-8000", "13800138000", "0086 138 0013 8000", "１３８-００１３-８０００"]
    assert {normalise_phone(t).e164 for t in typed} == {"+8613800138000"}


_decor = st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86"])


@settings(max_examples=3000)
@given(
    prefix=_decor,
    digits=st.text(alphabet="0123456789", min_size=10, max_size=10),
    sep=st.sampled_from(["", " ", "-"]),
)
def test_fast_path_agrees_with_phonenumbers(prefix: str, digits: str, sep: str) -> None:
    national = "1" + digits
    raw = prefix + national[:3] + sep + national[3:7] + sep + national[7:]
    normalise_phone.cache_clear()
    assert normalise_phone(raw) == normalise_phone_slow(raw)
    # And against phonenumbers directly, not only via our slow wrapper.
    try:
        expected = phonenumbers.is_valid_number(phonenumbers.parse(raw, "CN"))
    except phonenumbers.NumberParseException:
        expected = False
    assert normalise_phone(raw).valid == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北京市 朝阳区 建国路 88 号", "北京市朝阳区建国路88号"),
        ("北京市朝阳区建国路８８号，３栋", "北京市朝阳区建国路88号3栋"),
        ("上海市-浦东新区（世纪大道）100号", "上海市浦东新区世纪大道100号"),
        ("Room 5, ABC Road", "room5abcroad"),
    ],
)
def test_address_normalisation(a: str, b: str) -> None:
    assert normalise_address(a) == normalise_address(b)


def test_different_addresses_stay_different() -> None:
    assert normalise_address("建国路88号") != normalise_address("建国路89号")


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("wang.fang@163.com", True),
        (" Wang.Fang@QQ.com ", True),
        ("ｗａｎｇ@qq.com", True),
        ("wang.fang", False),
        ("wang@qq", False),
        ("wang@@qq.com", False),
        ("wang fang@qq.com", True),  # whitespace removed by normalisation
    ],
)
def test_email(raw: str, ok: bool) -> None:
    found = check_email(raw, field="policyholder.email")
    assert [f.code for f in found] == ([] if ok else ["EMAIL_INVALID"])
    if found:
        assert found[0].severity == "warning"


def test_normalise_email() -> None:
    assert normalise_email(" Wang.Fang@QQ.COM ") == "wang.fang@qq.com"


@pytest.mark.parametrize(
    ("address", "city"),
    [
        ("广东省深圳市南山区科技园1号", "深圳市"),
        ("北京市朝阳区建国路88号", "北京市"),
        ("上海浦东新区世纪大道100号", "上海市"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市"),
        ("四川省凉山彝族自治州西昌市", "凉山彝族自治州"),
        ("浙江省 杭州市 西湖区", "杭州市"),
        ("某某路1号", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_city_of_an_address(address, city):
    from veracity.core.contact import city_of

    assert city_of(address) == city
