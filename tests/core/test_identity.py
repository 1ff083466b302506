from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from veracity.core.identity import (
    IdType,
    check_declared,
    check_id,
    infer_id_type,
    known_county_codes,
    make_resident_id,
    normalise_id,
    parse_resident_id,
)

AS_OF = date(2026, 11, 26)
# 11010519491231002X: a published GB 11643 example (Beijing Chaoyang, female).
GOOD = "11010519491231002X"


def codes(findings: list) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize(
    ("id_type", "raw", "expected"),
    [
        ("resident_id", " 1101 0519 4912 3100 2x ", GOOD),
        ("resident_id", "１１０１０５１９４９１２３１００２Ｘ", GOOD),
        ("resident_id", "11010519491231002x", GOOD),
        ("resident_id", "110105491231002", "11010519491231002X"),  # 15-digit legacy
        ("resident_id", "\t110105\u3000491231002\n", "11010519491231002X"),
        ("passport", "e1234 5678", "E12345678"),
        ("hk_macao_home_return_permit", "h 1234 5678", "H12345678"),
        ("passport", "110105491231002", "110105491231002"),  # no conversion for passports
        ("resident_id", None, ""),
    ],
)
def test_normalise_id(id_type: str, raw: str, expected: str) -> None:
    assert normalise_id(id_type, raw) == expected


def test_good_number_agrees_with_stdnum() -> None:
    assert ric.is_valid(GOOD)
    facts, findings = check_id("resident_id", GOOD, as_of=AS_OF, field="policyholder.id_number")
    assert findings == []
    assert facts is not None
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex == "F"
    assert facts.region_code == "110105"
    assert facts.region_name == "北京市朝阳区"


def test_legacy_15_digit_is_converted_and_valid() -> None:
    facts, findings = check_id("resident_id", "110105491231003", as_of=AS_OF, field="x")
    assert findings == []
    assert facts is not None
    assert facts.number == "110105194912310038"
    assert ric.is_valid(facts.number)
    assert facts.sex == "M"


def _hmt(prefix: str, birth: date = date(1990, 5, 6), seq: int = 11) -> str:
    return make_resident_id(prefix, birth, seq)


def _with_check(number: str) -> str:
    """The number with a wrong check digit."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def _foreign(province: str = "11", nation: str = "156") -> str:
    first17 = f"9{province}{nation}19900506011"
    from veracity.core.identity import check_digit

    return first17 + check_digit(first17)


@pytest.mark.parametrize(
    ("id_type", "raw", "codes_", "region_name"),
    [
        ("hmt_residence_permit", _hmt("810000"), [], "香港"),
        ("hmt_residence_permit", _hmt("820000"), [], "澳门"),
        ("hmt_residence_permit", _hmt("830000"), [], "台湾"),
        ("resident_id", _hmt("830000"), [], "台湾"),
        (
            "hmt_residence_permit",
            make_resident_id("110105", date(1990, 5, 6), 11),
            ["ID_FORMAT"],
            None,
        ),
        ("hmt_residence_permit", _hmt("810000")[:-1] + "0", ["ID_CHECKSUM"], None),
        ("foreign_permanent_residence", _foreign(), [], "北京市"),
        ("foreign_permanent_residence", _foreign("99"), ["ID_PROVINCE_UNKNOWN"], None),
        (
            "foreign_permanent_residence",
            _foreign()[:-1] + ("0" if _foreign()[-1] != "0" else "1"),
            ["ID_CHECKSUM"],
            None,
        ),
        ("foreign_permanent_residence", "USA110090112345", [], None),  # old 15-char form
        ("foreign_permanent_residence", "12345", ["ID_FORMAT"], None),
    ],
)
def test_residence_permits(
    id_type: str, raw: str, codes_: list[str], region_name: str | None
) -> None:
    facts, findings = check_id(id_type, raw, as_of=AS_OF, field="insured.id_number")
    assert codes(findings) == codes_
    if not codes_ and region_name is not None:
        assert facts is not None and facts.region_name == region_name
        assert facts.birth_date == date(1990, 5, 6)
        assert facts.sex == "M"
    if codes_:
        assert facts is None


def test_stdnum_rejects_what_we_accept() -> None:
    """The traps of architecture.md: stdnum is not the reference for these."""
    assert not ric.is_valid(_hmt("830000"))
    assert not ric.is_valid(_foreign())


@pytest.mark.parametrize(
    ("id_type", "raw", "ok"),
    [
        ("hk_macao_home_return_permit", "H12345678", True),
        ("hk_macao_home_return_permit", "M1234567890", True),
        ("hk_macao_home_return_permit", "X12345678", False),
        ("hk_macao_home_return_permit", "H1234567", False),
        ("taiwan_compatriot_permit", "12345678", True),
        ("taiwan_compatriot_permit", "1234567890", True),
        ("taiwan_compatriot_permit", "1234567", False),
        ("passport", "E12345678", True),
        ("passport", "G12345678", True),
        ("passport", "EA1234567", True),
        ("passport", "X1234", True),  # foreign, 5 chars
        ("passport", "AB12", False),
        ("passport", "A" * 18, False),
        ("passport", "E1234-5678", False),
        ("other", "任意证件123", True),
    ],
)
def test_document_formats(id_type: str, raw: str, ok: bool) -> None:
    facts, findings = check_id(id_type, raw, as_of=AS_OF, field="policyholder.id_number")
    assert codes(findings) == ([] if ok else ["ID_FORMAT"])
    assert (facts is not None) == ok


def _with(number: str, pos: int, text: str) -> str:
    """Replace characters at pos and recompute the check digit."""
    from veracity.core.identity import check_digit

    first17 = (number[:pos] + text + number[pos + len(text) :])[:17]
    return first17 + check_digit(first17)


@pytest.mark.parametrize(
    ("raw", "expected_codes"),
    [
        (GOOD, []),
        ("11010519491231002", ["ID_FORMAT"]),  # 17 characters
        ("1101051949123100X2", ["ID_FORMAT"]),  # X not last
        ("11010519491231002A", ["ID_FORMAT"]),
        ("110105194912310020", ["ID_CHECKSUM"]),
        (_with(GOOD, 6, "19490230"), ["ID_BIRTH_DATE"]),  # 30 February
        (_with(GOOD, 6, "20300101"), ["ID_BIRTH_DATE"]),  # future
        (_with(GOOD, 6, "19001231"), ["ID_BIRTH_DATE"]),  # older than 120
        (_with(GOOD, 6, "19061127"), []),  # 119 on AS_OF
        (_with(GOOD, 6, "19061126"), []),  # 120th birthday on AS_OF: still plausible
        (_with(GOOD, 6, "19051126"), ["ID_BIRTH_DATE"]),  # 121st birthday on AS_OF
        (_with(GOOD, 0, "990105"), ["ID_PROVINCE_UNKNOWN"]),
        (_with(GOOD, 0, "110199"), ["ID_REGION_UNKNOWN"]),  # warning: facts still given
        (_with(GOOD, 0, "120110"), []),  # historic code 东郊区 (to 1991): accepted
    ],
)
def test_resident_id_rules(raw: str, expected_codes: list[str]) -> None:
    facts, findings = check_id("resident_id", raw, as_of=AS_OF, field="policyholder.id_number")
    assert codes(findings) == expected_codes
    errors = [f for f in findings if f.severity == "error"]
    assert (facts is None) == bool(errors)
    for f in findings:
        assert f.field == "policyholder.id_number"
        assert f.message_zh.startswith("投保人")
        assert raw not in str(f.evidence)  # evidence never holds the full number


def test_age_limit_is_120_years() -> None:
    born = date(1906, 11, 26)  # 120th birthday on AS_OF
    ok = make_resident_id("110105", born, 1)
    assert check_id("resident_id", ok, as_of=AS_OF, field="f")[1] == []
    too_old = make_resident_id("110105", date(1906, 11, 25), 1)
    assert check_id("resident_id", too_old, as_of=AS_OF, field="f")[1] == []
    way_too_old = make_resident_id("110105", date(1905, 11, 25), 1)
    assert codes(check_id("resident_id", way_too_old, as_of=AS_OF, field="f")[1]) == [
        "ID_BIRTH_DATE"
    ]


def test_checksum_message_names_expected_digit_and_role() -> None:
    _, findings = check_id(
        "resident_id", "110105194912310020", as_of=AS_OF, field="policyholder.id_number"
    )
    (f,) = findings
    assert f.message_zh == "投保人身份证号码校验位错误（应为 X）"
    assert f.message_en == "Policyholder ID number check digit is wrong (expected X)"
    assert f.evidence == {"expected": "X"}


def test_unknown_id_type_is_field_format() -> None:
    facts, findings = check_id("library_card", "123", as_of=AS_OF, field="insured.id_number")
    assert facts is None
    assert codes(findings) == ["FIELD_FORMAT"]
    assert findings[0].field == "insured.id_type"


def test_empty_number_is_missing() -> None:
    assert codes(check_id("resident_id", "  ", as_of=AS_OF, field="x.id_number")[1]) == [
        "MISSING_FIELD"
    ]


@pytest.mark.parametrize(
    ("sex", "birth", "expected"),
    [
        ("F", date(1949, 12, 31), []),
        ("M", date(1949, 12, 31), ["ID_SEX_MISMATCH"]),
        ("F", date(1949, 12, 30), ["ID_BIRTH_MISMATCH"]),
        ("M", date(1950, 12, 31), ["ID_SEX_MISMATCH", "ID_BIRTH_MISMATCH"]),
        (None, None, []),
    ],
)
def test_check_declared(sex: str | None, birth: date | None, expected: list[str]) -> None:
    facts = parse_resident_id(GOOD)
    found = check_declared(facts, sex=sex, birth_date=birth, field_prefix="insured")
    assert codes(found) == expected
    for f in found:
        assert f.field.startswith("insured.")
        assert "被保险人" in f.message_zh


def test_sex_mismatch_message() -> None:
    (f,) = check_declared(
        parse_resident_id(GOOD), sex="M", birth_date=None, field_prefix="policyholder"
    )
    assert f.field == "policyholder.sex"
    assert "男" in f.message_zh and "女" in f.message_zh
    assert f.evidence["declared"] == "M" and f.evidence["from_id"] == "F"


@pytest.mark.parametrize("bad", ["", "123", "110105194912310020", "11010519490230002X", "X" * 18])
def test_parse_resident_id_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_resident_id(bad)


@pytest.mark.parametrize(("region", "seq"), [("11010", 1), ("110105", 1000), ("110105", -1)])
def test_make_resident_id_rejects(region: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_resident_id(region, date(2000, 1, 1), seq)


REGIONS = known_county_codes()


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=date(1907, 1, 1), max_value=AS_OF),
    seq=st.integers(min_value=0, max_value=999),
)
def test_round_trip(region: str, birth: date, seq: int) -> None:
    number = make_resident_id(region, birth, seq)
    facts = parse_resident_id(number)
    assert facts.birth_date == birth
    assert facts.sex == ("M" if seq % 2 else "F")
    assert facts.region_code == region and facts.region_name
    assert make_resident_id(facts.region_code, facts.birth_date, int(number[14:17])) == number
    checked, findings = check_id("resident_id", number.lower(), as_of=AS_OF, field="f")
    assert findings == [] and checked == facts
    # Independent oracle for the check digit.
    assert ric.calc_check_digit(number) == number[-1]


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=date(1907, 1, 1), max_value=date(1999, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_other_check_digit_is_rejected(region: str, birth: date, seq: int, wrong: str) -> None:
    number = make_resident_id(region, birth, seq)
    if wrong == number[-1]:
        return
    _, findings = check_id("resident_id", number[:-1] + wrong, as_of=AS_OF, field="f")
    assert codes(findings) == ["ID_CHECKSUM"]


def test_id_type_enum_values() -> None:
    assert IdType("hk_macao_home_return_permit") is IdType.HK_MACAO_HOME_RETURN
    assert IdType.RESIDENT_ID == "resident_id"


# An ID number given without its type is judged by its shape (issue 10, point 14).
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (GOOD, IdType.RESIDENT_ID),
        (GOOD.lower(), IdType.RESIDENT_ID),
        (" 1101 0519 4912 3100 2x ", IdType.RESIDENT_ID),
        ("１１０１０５１９４９１２３１００２Ｘ", IdType.RESIDENT_ID),
        ("110105491231002", IdType.RESIDENT_ID),  # 15-digit legacy
        (_foreign(), IdType.FOREIGN_PERMANENT_RESIDENCE),
        (_foreign("31", "840"), IdType.FOREIGN_PERMANENT_RESIDENCE),
        (" " + _foreign("44", "392") + " ", IdType.FOREIGN_PERMANENT_RESIDENCE),
        (_foreign("99"), IdType.FOREIGN_PERMANENT_RESIDENCE),  # judged as one: province error
        ("USA110090112345", IdType.FOREIGN_PERMANENT_RESIDENCE),  # old 15-char form
        (_hmt("810000"), IdType.HMT_RESIDENCE_PERMIT),
        (_hmt("820000"), IdType.HMT_RESIDENCE_PERMIT),
        (_hmt("830000"), IdType.HMT_RESIDENCE_PERMIT),
        ("H12345678", IdType.HK_MACAO_HOME_RETURN),
        ("m1234567890", IdType.HK_MACAO_HOME_RETURN),
        ("E12345678", IdType.PASSPORT),
        ("G12345678", IdType.PASSPORT),
        ("EA1234567", IdType.PASSPORT),
        # No telling shape: judged as a resident ID, whose format error says what one is.
        ("12345", IdType.RESIDENT_ID),
        ("1101051949123100", IdType.RESIDENT_ID),  # 16 digits: a mistyped resident ID
        ("11010519491231002Y", IdType.RESIDENT_ID),
        ("X1234567", IdType.RESIDENT_ID),  # a foreign passport must be declared
        ("", IdType.RESIDENT_ID),
        (None, IdType.RESIDENT_ID),
        (12345, IdType.RESIDENT_ID),
        (int(_foreign()[:-1] + "1"), IdType.FOREIGN_PERMANENT_RESIDENCE),
    ],
)
def test_infer_id_type(raw: object, expected: IdType) -> None:
    assert infer_id_type(raw) is expected


@pytest.mark.parametrize(
    ("raw", "codes_"),
    [
        (_foreign(), []),
        (_foreign("31", "840"), []),
        (_foreign("99"), ["ID_PROVINCE_UNKNOWN"]),
        (_hmt("810000"), []),
        (_hmt("820000"), []),
        (_hmt("830000"), []),
        (GOOD, []),
        ("110105491231003", []),
        ("H12345678", []),
        ("E12345678", []),
        (_with_check(GOOD), ["ID_CHECKSUM"]),
        ("12345", ["ID_FORMAT"]),
    ],
)
def test_untyped_numbers_are_judged_as_their_inferred_type(raw: str, codes_: list[str]) -> None:
    _, findings = check_id(infer_id_type(raw), raw, as_of=AS_OF, field="x")
    assert codes(findings) == codes_


def test_a_foreign_permanent_residence_number_is_no_resident_id() -> None:
    """What the gate did before: judged as a resident ID, province 9x does not exist."""
    _, findings = check_id("resident_id", _foreign(), as_of=AS_OF, field="x")
    assert codes(findings) == ["ID_PROVINCE_UNKNOWN"]
