from __future__ import annotations

from veracity.core.records import flatten, unflatten


def test_unflatten_dotted_columns() -> None:
    row = {
        "application_no": "A1",
        "applied_on": "2026-11-26",
        "product.code": "WL-20",
        "product.type": "ordinary_life",
        "product.term_years": "20",
        "policyholder.name": " 王芳 ",
        "policyholder.phones": "138 0013 8000; 010-65529988；",
        "policyholder.email": "",
        "insured.relation": "self",
        "beneficiaries.1.name": "李四",
        "beneficiaries.0.name": "张三",
        "beneficiaries.0.share": "60",
        "beneficiaries.1.share": "40.0",
    }
    app = unflatten(row)
    assert app["product"] == {"code": "WL-20", "type": "ordinary_life", "term_years": 20}
    assert app["policyholder"] == {
        "name": "王芳",
        "phones": ["138 0013 8000", "010-65529988"],
        "email": None,
    }
    assert app["beneficiaries"] == [{"name": "张三", "share": 60}, {"name": "李四", "share": 40}]
    assert app["insured"] == {"relation": "self"}


def test_beneficiaries_json_and_garbage_kept() -> None:
    app = unflatten(
        {"beneficiaries": '[{"name": "张三", "share": 100}]', "product.term_years": "twenty"}
    )
    assert app["beneficiaries"] == [{"name": "张三", "share": 100}]
    assert app["product"]["term_years"] == "twenty"  # kept for the gate to report
    assert unflatten({"beneficiaries": "[broken"})["beneficiaries"] == "[broken"


def test_round_trip() -> None:
    app = {
        "application_no": "A2026110001",
        "applied_on": "2026-11-26",
        "product": {"code": "WL-20", "type": "ordinary_life", "term_years": 20},
        "channel": "agency",
        "seller": {"code": "AG00017", "agency_code": None},
        "policyholder": {"name": "王芳", "phones": ["13800138000", "010-65529988"], "email": None},
        "insured": {"relation": "child", "name": "王小明", "id_number": None},
        "beneficiaries": [{"relation": "parent", "name": "王芳", "share": 100, "id_number": None}],
        "payer_account": {"number": "6222 0202 0000 1234 568", "holder_name": "王芳"},
    }
    row = flatten(app)
    assert all(isinstance(v, str) for v in row.values())
    assert row["policyholder.phones"] == "13800138000;010-65529988"
    assert row["product.term_years"] == "20"
    assert row["seller.agency_code"] == ""
    assert unflatten(row) == app


def test_scalar_empty_does_not_clobber_children() -> None:
    assert unflatten({"insured": "", "insured.name": "王五"}) == {"insured": {"name": "王五"}}
