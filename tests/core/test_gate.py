from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from veracity.core.completeness import check_completeness
from veracity.core.findings import CATALOGUE, Severity, finding
from veracity.core.gate import IN_SCOPE_TYPES, evaluate
from veracity.core.identity import check_digit, make_resident_id

AS_OF = date(2026, 11, 26)
PH_ID = make_resident_id("110105", date(1985, 3, 14), 122)  # female
CHILD_ID = make_resident_id("110105", date(2015, 6, 1), 11)  # male
CARD = "6222020200001234562"


def clean_app() -> dict[str, Any]:
    return {
        "application_no": "A2026110001",
        "applied_on": "2026-11-26",
        "product": {"code": "WL-20", "type": "ordinary_life", "term_years": 20},
        "channel": "agency",
        "seller": {"code": "AG00017", "agency_code": None},
        "policyholder": {
            "name": "王芳",
            "sex": "F",
            "birth_date": "1985-03-14",
            "id_type": "resident_id",
            "id_number": PH_ID,
            "address": "北京市朝阳区建国路88号",
            "phones": ["138 0013 8000"],
            "email": None,
        },
        "insured": {
            "relation": "child",
            "name": "王小明",
            "sex": "M",
            "birth_date": "2015-06-01",
            "id_type": "resident_id",
            "id_number": CHILD_ID,
        },
        "beneficiaries": [
            {"relation": "parent", "name": "王芳", "share": 100, "id_type": None, "id_number": None}
        ],
        "payer_account": {
            "number": CARD,
            "holder_name": "王芳",
            "holder_id_type": "resident_id",
            "holder_id_number": PH_ID,
        },
    }


def codes(verdict: Any) -> list[tuple[str, str]]:
    return [(f.code, f.field) for f in verdict.findings]


def test_clean_application_passes() -> None:
    v = evaluate(clean_app(), as_of=AS_OF)
    assert v.verdict == "pass" and not v.blocking
    assert v.findings == ()
    assert v.to_dict() == {"application_no": "A2026110001", "verdict": "pass", "findings": []}


def test_minor_insured_without_id_passes() -> None:
    app = clean_app()
    app["insured"]["id_number"] = None
    assert evaluate(app, as_of=AS_OF).verdict == "pass"


def test_adult_insured_without_id_fails() -> None:
    app = clean_app()
    app["insured"].update(relation="spouse", birth_date="1984-01-02", id_number=None)
    v = evaluate(app, as_of=AS_OF)
    assert codes(v) == [("MISSING_FIELD", "insured.id_number")]
    assert v.findings[0].message_zh == "被保险人证件号码未填写，请补充"


def test_self_relation_needs_no_insured_block() -> None:
    for insured in ({"relation": "self"}, None):
        app = clean_app()
        app["insured"] = insured
        assert evaluate(app, as_of=AS_OF).verdict == "pass"


def test_several_problems_listed_each() -> None:
    app = clean_app()
    ph = app["policyholder"]
    ph["id_number"] = PH_ID[:-1] + ("0" if PH_ID[-1] != "0" else "1")
    ph["phones"] = ["12345", "13800138000"]
    ph["address"] = "  "
    ph["email"] = "wang@qq"
    app["insured"]["sex"] = "F"
    app["insured"]["birth_date"] = "2015-06-02"
    app["payer_account"]["number"] = "6222 0202 0000 1234 567"
    v = evaluate(app, as_of=AS_OF)
    assert v.verdict == "fail" and v.blocking
    assert sorted(codes(v)) == sorted(
        [
            ("MISSING_FIELD", "policyholder.address"),
            ("ID_CHECKSUM", "policyholder.id_number"),
            ("PHONE_INVALID", "policyholder.phones[0]"),
            ("EMAIL_INVALID", "policyholder.email"),
            ("ID_SEX_MISMATCH", "insured.sex"),
            ("ID_BIRTH_MISMATCH", "insured.birth_date"),
            ("ACCOUNT_LUHN", "payer_account.number"),
        ]
    )
    d = v.to_dict()
    assert d["verdict"] == "fail"
    assert {"code", "field", "severity", "message_zh", "message_en", "evidence"} == set(
        d["findings"][0]  # type: ignore[index]
    )
    # No full ID, phone or card number leaks into evidence.
    text = repr([f.evidence for f in v.findings]) + repr([f.message_zh for f in v.findings])
    for secret in (ph["id_number"], "6222020200001234567", "13800138000"):
        assert secret not in text


def test_warnings_alone_pass() -> None:
    app = clean_app()
    app["policyholder"]["email"] = "not-an-email"
    app["payer_account"]["number"] = "6222020200001234567"
    v = evaluate(app, as_of=AS_OF)
    assert v.verdict == "pass"
    assert {f.severity for f in v.findings} == {Severity.WARNING}


@pytest.mark.parametrize(
    "product",
    [
        {"code": "X", "type": "other", "term_years": 20},
        {"code": "T", "type": "accident", "term_years": 0},
        {"code": "T", "type": "health", "term_years": "0.5"},
    ],
)
def test_out_of_scope_passes_untouched(product: dict[str, Any]) -> None:
    app = clean_app()
    app["product"] = product
    app["policyholder"] = {"name": None, "id_number": "garbage"}
    v = evaluate(app, as_of=AS_OF)
    assert v.verdict == "pass"
    assert [f.code for f in v.findings] == ["OUT_OF_SCOPE"]
    assert v.findings[0].severity == "info"


@pytest.mark.parametrize("ptype", sorted(IN_SCOPE_TYPES))
def test_in_scope_types_are_checked(ptype: str) -> None:
    app = clean_app()
    app["product"]["type"] = ptype
    app["policyholder"]["name"] = None
    assert evaluate(app, as_of=AS_OF).verdict == "fail"


def test_unknown_product_type_fails() -> None:
    app = clean_app()
    app["product"]["type"] = "annuity?"
    assert codes(evaluate(app, as_of=AS_OF)) == [("PRODUCT_UNKNOWN", "product.type")]


@pytest.mark.parametrize(
    ("sex", "ok"),
    [
        ("F", True),
        ("女", True),
        ("female", True),
        (" Female ", True),
        ("f", True),
        ("X", False),
        (1, False),
    ],
)
def test_sex_spellings(sex: object, ok: bool) -> None:
    app = clean_app()
    app["policyholder"]["sex"] = sex
    v = evaluate(app, as_of=AS_OF)
    assert codes(v) == ([] if ok else [("FIELD_FORMAT", "policyholder.sex")])


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(1985, 3, 14), []),
        ("1985/03/14", []),
        ("1985-02-30", [("FIELD_FORMAT", "policyholder.birth_date")]),
        ("yesterday", [("FIELD_FORMAT", "policyholder.birth_date")]),
        ("2030-01-01", [("FIELD_FORMAT", "policyholder.birth_date")]),
        ("1985-03-15", [("ID_BIRTH_MISMATCH", "policyholder.birth_date")]),
    ],
)
def test_birth_date_formats(birth: object, expected: list[tuple[str, str]]) -> None:
    app = clean_app()
    app["policyholder"]["birth_date"] = birth
    assert codes(evaluate(app, as_of=AS_OF)) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        42,
        "text",
        [],
        {"policyholder": "x"},
        {"product": 5, "beneficiaries": "x"},
        {"policyholder": {"phones": 7, "id_number": 123, "id_type": 9}, "payer_account": 3},
        {"applied_on": "soon", "insured": ["x"]},
    ],
)
def test_never_raises(garbage: Any) -> None:
    v = evaluate(garbage, as_of=AS_OF)
    assert v.verdict in ("pass", "fail")
    assert v.verdict == "fail"


def test_beneficiary_id_checked_with_role() -> None:
    app = clean_app()
    app["beneficiaries"].append({"name": "李四", "id_number": "110105194912310020"})
    v = evaluate(app, as_of=AS_OF)
    assert codes(v) == [("ID_CHECKSUM", "beneficiaries[1].id_number")]
    assert v.findings[0].message_zh.startswith("受益人2")


def test_other_documents_format_only() -> None:
    app = clean_app()
    app["policyholder"].update(id_type="passport", id_number="E12345678")
    assert evaluate(app, as_of=AS_OF).verdict == "pass"
    app["policyholder"]["id_number"] = "E12"
    assert codes(evaluate(app, as_of=AS_OF)) == [("ID_FORMAT", "policyholder.id_number")]


def test_completeness_lists_every_missing_field() -> None:
    app = {"policyholder": {}, "insured": {"relation": "spouse"}}
    found = check_completeness(app, applied_on=AS_OF)
    assert [f.field for f in found] == [
        "policyholder.name",
        "policyholder.sex",
        "policyholder.birth_date",
        "policyholder.id_number",
        "policyholder.address",
        "policyholder.phones",
        "insured.name",
        "insured.sex",
        "insured.birth_date",
        "insured.id_number",
    ]
    assert all(f.code == "MISSING_FIELD" for f in found)


@pytest.mark.parametrize(
    ("birth", "applied_on", "missing"),
    [
        ("2008-11-27", AS_OF, False),  # 17 on the application date
        ("2008-11-26", AS_OF, True),  # 18th birthday: an adult
        ("2015-06-01", None, True),  # no date to judge by: ID required
        (None, AS_OF, True),
    ],
)
def test_minor_exception(birth: str | None, applied_on: date | None, missing: bool) -> None:
    app = {
        "policyholder": clean_app()["policyholder"],
        "insured": {"relation": "child", "name": "小明", "sex": "M", "birth_date": birth},
    }
    fields = [f.field for f in check_completeness(app, applied_on=applied_on)]
    assert ("insured.id_number" in fields) == missing


def test_phones_blank_list_is_missing() -> None:
    app = clean_app()
    app["policyholder"]["phones"] = ["", " "]
    assert ("MISSING_FIELD", "policyholder.phones") in codes(evaluate(app, as_of=AS_OF))


def test_catalogue_is_complete_and_bilingual() -> None:
    required = {
        "MISSING_FIELD",
        "FIELD_FORMAT",
        "ID_FORMAT",
        "ID_CHECKSUM",
        "ID_BIRTH_DATE",
        "ID_SEX_MISMATCH",
        "ID_BIRTH_MISMATCH",
        "ID_REGION_UNKNOWN",
        "ID_PROVINCE_UNKNOWN",
        "PHONE_INVALID",
        "EMAIL_INVALID",
        "ACCOUNT_FORMAT",
        "ACCOUNT_LUHN",
        "OUT_OF_SCOPE",
        "PRODUCT_UNKNOWN",
    }
    assert required <= set(CATALOGUE)
    assert CATALOGUE["ID_REGION_UNKNOWN"][0] == "warning"
    assert CATALOGUE["ID_PROVINCE_UNKNOWN"][0] == "error"
    assert CATALOGUE["ACCOUNT_LUHN"][0] == "warning"
    assert CATALOGUE["EMAIL_INVALID"][0] == "warning"
    assert CATALOGUE["OUT_OF_SCOPE"][0] == "info"


@pytest.mark.parametrize(
    ("field", "role"),
    [
        ("policyholder.name", "投保人"),
        ("insured.sex", "被保险人"),
        ("beneficiaries[0].id_number", "受益人1"),
        ("payer_account.holder_id_number", "付款账户持有人"),
    ],
)
def test_role_in_message(field: str, role: str) -> None:
    f = finding("MISSING_FIELD", field)
    assert f.message_zh.startswith(role)
    assert "?" not in f.message_zh and "?" not in f.message_en


def test_input_not_mutated() -> None:
    app = clean_app()
    before = copy.deepcopy(app)
    evaluate(app, as_of=AS_OF)
    assert app == before


@pytest.mark.parametrize("name", ["cooling_off_ends_on", "callback_due_on"])
def test_policy_dates_must_be_dates(name: str) -> None:
    app = clean_app()
    app[name] = "next week"
    assert ("FIELD_FORMAT", name) in codes(evaluate(app, as_of=AS_OF))
    app[name] = "2026-12-15"
    assert evaluate(app, as_of=AS_OF).verdict == "pass"


def _foreign_pr(province: str = "31", nation: str = "840", seq: str = "011") -> str:
    """A 2017-form foreign permanent residence ID number (born 1980-01-02, male)."""
    first17 = f"9{province}{nation}19800102{seq}"
    return first17 + check_digit(first17)


FOREIGN_PR = _foreign_pr()
HK = make_resident_id("810000", date(1980, 1, 2), 11)
MACAO = make_resident_id("820000", date(1980, 1, 2), 11)
TAIWAN = make_resident_id("830000", date(1980, 1, 2), 11)
ADULT_ID = make_resident_id("110105", date(1980, 1, 2), 11)


def _untyped(where: str, number: str) -> dict[str, Any]:
    """The clean application with ``number`` (born 1980-01-02, male) given without a type
    at ``where``."""
    app = clean_app()
    person = {"sex": "M", "birth_date": "1980-01-02", "id_type": None, "id_number": number}
    if where == "payer_account":
        app["payer_account"].update(holder_id_type=None, holder_id_number=number)
    elif where == "policyholder":
        app["policyholder"].update(person, name="John Smith")
        app["payer_account"].update(holder_id_number=PH_ID)
    elif where == "insured":
        app["insured"].update(person, relation="spouse")
    else:
        app["beneficiaries"][0].update(person)
    return app


# An untyped ID number is judged as the document its shape names (issue 10, point 14): a
# valid foreign PR number used to fail as a resident ID with ID_PROVINCE_UNKNOWN.
@pytest.mark.parametrize("where", ["payer_account", "policyholder", "insured", "beneficiaries"])
@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (FOREIGN_PR, []),
        (_foreign_pr("11", "392", "021"), []),
        (HK, []),
        (MACAO, []),
        (TAIWAN, []),
        (ADULT_ID, []),
        (ADULT_ID[:6] + ADULT_ID[8:17], []),  # 15-digit legacy resident ID
        ("H12345678", []),
        (_foreign_pr("99"), ["ID_PROVINCE_UNKNOWN"]),  # no such issuing province
        (FOREIGN_PR[:-1] + ("0" if FOREIGN_PR[-1] != "0" else "1"), ["ID_CHECKSUM"]),
        (ADULT_ID[:-1] + ("0" if ADULT_ID[-1] != "0" else "1"), ["ID_CHECKSUM"]),
        (make_resident_id("990105", date(1980, 1, 2), 11), ["ID_PROVINCE_UNKNOWN"]),
        ("12345", ["ID_FORMAT"]),  # judged as a resident ID, as before
    ],
)
def test_untyped_id_numbers_are_inferred(where: str, number: str, expected: list[str]) -> None:
    app = _untyped(where, number)
    field = {
        "payer_account": "payer_account.holder_id_number",
        "beneficiaries": "beneficiaries[0].id_number",
    }.get(where, f"{where}.id_number")
    found = codes(evaluate(app, as_of=AS_OF))
    assert [c for c, f in found if f == field] == expected
    assert [c for c, f in found if f != field] == []


def test_foreign_pr_declared_sex_and_birth_date_are_compared() -> None:
    app = _untyped("insured", FOREIGN_PR)
    app["insured"]["sex"] = "F"
    assert codes(evaluate(app, as_of=AS_OF)) == [("ID_SEX_MISMATCH", "insured.sex")]
