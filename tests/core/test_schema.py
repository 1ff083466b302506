"""The one strict schema of every entry path: what does not fit is rejected with every field
and why (zh/en), nothing is coerced, nothing is cut; what fits goes on to the gate."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from veracity.core import gate
from veracity.core.identity import IdType
from veracity.core.schema import (
    CHANNELS,
    IDENTIFIER,
    ApplicationIn,
    Rejected,
    parse_application,
    parse_seller,
    register_id_type_aliases,
)

HOLDER_ID = "11010119850314122X"


def application(no: str = "A2026110001") -> dict[str, Any]:
    return {
        "application_no": no,
        "applied_on": "2026-11-26",
        "product": {"code": "WL-20", "type": "ordinary_life", "term_years": 20},
        "channel": "agency",
        "seller": {"code": "AG00017", "agency_code": None},
        "policyholder": {
            "name": "王芳",
            "sex": "F",
            "birth_date": "1985-03-14",
            "id_type": "resident_id",
            "id_number": HOLDER_ID,
            "address": "北京市东城区东长安街1号",
            "phones": ["138 0013 8000"],
            "email": None,
        },
        "insured": {"relation": "self"},
        "beneficiaries": [{"relation": "parent", "name": "李强", "share": 100}],
        "payer_account": {"number": "6222020200001234567", "holder_name": "王芳"},
    }


def changed(path: str, value: Any) -> dict[str, Any]:
    """The application with one value at a dotted path (``beneficiaries.0.name``) replaced;
    ``...`` removes the key."""
    app = application()
    node: Any = app
    *parents, last = path.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return app


def problems(app: Any) -> list[tuple[str, str]]:
    with pytest.raises(Rejected) as caught:
        parse_application(app)
    for p in caught.value.problems:
        assert p.reason_zh and p.reason_en
    return [(p.field, p.reason_en) for p in caught.value.problems]


# --- rejected: wrong type, unknown value, too long, control character, bad identifier ----

REJECTED = [
    # The probe: a phone as one string was stored as four phones 1, 3, 8, 0.
    ("policyholder.phones", "13800000000", "policyholder.phones", "expected a list"),
    # A numeric application number was stringified; 637 rows collapsed into one policy.
    ("application_no", 12345.5, "application_no", "expected text"),
    ("application_no", 12345, "application_no", "expected text"),
    ("beneficiaries", {"name": "李强"}, "beneficiaries", "expected a list"),
    ("policyholder.name", "王" * 101, "policyholder.name", "longer than 100 characters"),
    ("policyholder.name", "王" * 1_000_000, "policyholder.name", "longer than 100 characters"),
    ("policyholder.address", "北" * 301, "policyholder.address", "longer than 300 characters"),
    ("policyholder.name", "王\u0000芳", "policyholder.name", "control character U+0000"),
    ("policyholder.name", "王\n芳", "policyholder.name", "control character U+000A"),
    ("policyholder.address", "北京\u202e市", "policyholder.address", "U+202E"),
    ("insured.name", "李\x85", "insured.name", "U+0085"),
    ("application_no", "A/1", "application_no", "not an identifier"),
    ("application_no", "A\n1", "application_no", "not an identifier"),
    ("application_no", "A\u00001", "application_no", "not an identifier"),
    ("application_no", "=HYPERLINK(1)", "application_no", "not an identifier"),
    ("application_no", ".hidden", "application_no", "not an identifier"),
    ("application_no", "", "application_no", "not an identifier"),
    ("application_no", "A" * 41, "application_no", "not an identifier"),
    ("application_no", ..., "application_no", "field required"),
    ("product.code", "W" * 33, "product.code", "at most 32"),
    ("product.code", "WL 20", "product.code", "not an identifier"),
    ("seller.code", "AG/1", "seller.code", "not an identifier"),
    ("channel", "carrier-pigeon", "channel", "not an allowed value"),
    ("channel", None, "channel", "not an allowed value"),
    ("product.type", "annuity", "product.type", "not an allowed value"),
    ("policyholder.sex", "X", "policyholder.sex", "not an allowed value"),
    ("policyholder.id_type", "身份", "policyholder.id_type", "unknown ID type"),
    ("policyholder.id_type", 1, "policyholder.id_type", "expected text"),
    ("product.term_years", "20", "product.term_years", "expected a number"),
    ("product.term_years", True, "product.term_years", "expected a number"),
    ("product.term_years", -1, "product.term_years", "at least 0"),
    ("beneficiaries.0.share", "100", "beneficiaries[0].share", "expected a number"),
    ("beneficiaries.0.share", 101, "beneficiaries[0].share", "at most 100"),
    ("beneficiaries.0", "李强", "beneficiaries[0]", "expected an object"),
    ("policyholder", "王芳", "policyholder", "expected an object"),
    ("policyholder", None, "policyholder", "expected an object"),
    ("policyholder.phones", [13800138000], "policyholder.phones[0]", "expected text"),
    ("policyholder.phones", ["1"] * 11, "policyholder.phones", "at most 10 items"),
    ("policyholder.nmae", "王芳", "policyholder.nmae", "unknown field"),
    ("polciyholder", {}, "polciyholder", "unknown field"),
    ("payer_account.number", 6222020200001234567, "payer_account.number", "expected text"),
]


@pytest.mark.parametrize(("path", "value", "field", "reason"), REJECTED)
def test_a_record_that_does_not_fit_is_rejected_naming_the_field(path, value, field, reason):
    found = problems(changed(path, value))
    assert found[0][0] == field
    assert reason in found[0][1]


def test_every_problem_of_a_record_is_named_at_once():
    app = application()
    app["policyholder"]["phones"] = "13800000000"
    app["application_no"] = 1
    app["beneficiaries"] = {"name": "x"}
    fields = [field for field, _ in problems(app)]
    assert fields == ["application_no", "policyholder.phones", "beneficiaries"]


def test_a_rejection_says_where_the_control_character_is_never_the_value():
    with pytest.raises(Rejected) as caught:
        parse_application(changed("policyholder.id_number", "1101\u00000119850314122X"))
    [problem] = caught.value.problems
    assert "U+0000" in problem.reason_en and "5" in problem.reason_en
    assert "1101" not in problem.reason_en + problem.reason_zh
    assert "控制字符" in problem.reason_zh


def test_not_a_record_at_all():
    for raw in (None, [], "x", 5):
        assert problems(raw) == [("", "not an application object")]


# --- accepted: fits the schema, rules are the gate's ---------------------------------------

ACCEPTED = [
    ("policyholder.birth_date", "1985-02-30"),  # impossible date: a finding, not a rejection
    ("policyholder.birth_date", "yesterday"),
    ("policyholder.id_number", "110101198503141220"),  # wrong check digit: a finding
    ("policyholder.phones", []),
    ("policyholder.address", None),
    ("policyholder.name", ""),
    ("policyholder.name", "𪚥" * 100),  # a rare character outside the BMP, 100 of them
    ("policyholder.name", "<script>alert(1)</script>"),
    ("policyholder.name", "Nguyễn Văn An"),
    ("application_no", "9.-_x"),
    ("application_no", "a..b"),
    ("application_no", "Z" * 40),
    ("application_no", "A"),
    ("product.term_years", 0.5),
    ("product.type", None),
    ("insured", None),
    ("beneficiaries", None),
    ("payer_account", None),
    ("seller", None),
    ("policyholder.sex", "男"),
    ("policyholder.sex", "female"),
]


@pytest.mark.parametrize(("path", "value"), ACCEPTED)
def test_a_record_that_fits_goes_on_to_the_gate(path, value, as_of):
    record = parse_application(changed(path, value))
    assert gate.evaluate(record, as_of=as_of).application_no == record["application_no"]


def test_the_record_holds_only_what_was_given_and_nothing_is_cut():
    app = changed("policyholder.name", "王" * 100)
    record = parse_application(app)
    assert record["policyholder"]["name"] == "王" * 100
    assert "cooling_off_ends_on" not in record
    assert "relation" in record["insured"] and "name" not in record["insured"]


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("resident_id", IdType.RESIDENT_ID),
        ("居民身份证", IdType.RESIDENT_ID),
        ("身份证", IdType.RESIDENT_ID),
        ("护照", IdType.PASSPORT),
        ("外国人永久居留身份证", IdType.FOREIGN_PERMANENT_RESIDENCE),
        ("港澳台居民居住证", IdType.HMT_RESIDENCE_PERMIT),
    ],
)
def test_chinese_names_of_id_types_are_stored_as_their_code(spelling, code):
    record = parse_application(changed("policyholder.id_type", spelling))
    assert record["policyholder"]["id_type"] == code.value


def test_an_empty_id_type_is_absent():
    record = parse_application(changed("policyholder.id_type", ""))
    assert record["policyholder"]["id_type"] is None


def test_a_systems_own_id_type_codes_are_read_as_codes_for_that_system_only():
    register_id_type_aliases({"bancassurance": {"01": "resident_id", "02": "passport"}})
    app = changed("policyholder.id_type", "02")
    assert parse_application(app, id_type_aliases={"02": "passport"})["policyholder"][
        "id_type"
    ] == ("passport")
    # Another system (no such code of its own) is refused, not guessed.
    assert problems(app)[0][0] == "policyholder.id_type"
    with pytest.raises(ValueError, match="unknown code"):
        register_id_type_aliases({"core": {"9": "driving_licence"}})


# --- the schema tells the truth -------------------------------------------------------------


def test_the_json_schema_states_patterns_lengths_and_enums():
    spec = ApplicationIn.model_json_schema()
    defs = spec["$defs"]
    assert spec["properties"]["application_no"]["pattern"] == IDENTIFIER
    assert set(spec["properties"]["channel"]["enum"]) == set(CHANNELS)
    assert spec["additionalProperties"] is False
    person = defs["PersonIn"]["properties"]
    name = next(b for b in person["name"]["anyOf"] if b.get("type") == "string")
    assert name["maxLength"] == 100 and name["pattern"].startswith("^[^")
    id_type = next(b for b in person["id_type"]["anyOf"] if b.get("type") == "string")
    assert {"resident_id", "护照", ""} <= set(id_type["enum"])
    assert "resident_id" in id_type["description"]


# --- sellers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"code": "AG/1", "kind": "agent", "name": "张三"}, "code"),
        ({"code": "AG1", "kind": "boss", "name": "张三"}, "kind"),
        ({"code": "AG1", "kind": "agent", "name": ""}, "name"),
        ({"code": "AG1", "kind": "agent", "name": "张" * 201}, "name"),
        ({"code": "AG1", "kind": "agent", "name": "张三", "phones": "138"}, "phones"),
        ({"code": "AG1", "kind": "agent", "name": "张三", "qualified": "maybe"}, "qualified"),
        ({"code": 17, "kind": "agent", "name": "张三"}, "code"),
    ],
)
def test_a_seller_that_does_not_fit_is_rejected(record, field):
    with pytest.raises(Rejected) as caught:
        parse_seller(record)
    assert caught.value.problems[0].field == field


def test_a_seller_that_fits():
    record = {"code": "AG1", "kind": "agent", "name": "张三", "qualified": "是"}
    assert parse_seller(copy.deepcopy(record)) == record
