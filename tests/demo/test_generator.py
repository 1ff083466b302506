"""The synthetic book: deterministic, and carrying every planted feature."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import islice

import pytest

from veracity.core.contact import normalise_phone
from veracity.core.gate import evaluate
from veracity.core.identity import normalise_id
from veracity.demo.generator import (
    PRODUCTS,
    DemoConfig,
    applications,
    labelled_applications,
    sellers,
)

CFG = DemoConfig(customers=3000)


@pytest.fixture(scope="module")
def book() -> list[tuple[dict, frozenset[str]]]:
    return list(labelled_applications(CFG))


def test_deterministic_for_a_seed() -> None:
    a = list(islice(applications(DemoConfig(customers=500)), 200))
    b = list(islice(applications(DemoConfig(customers=500)), 200))
    c = list(islice(applications(DemoConfig(customers=500, seed=1)), 200))
    assert a == b
    assert a != c


def test_sellers() -> None:
    ss = list(sellers(CFG))
    kinds = [s["kind"] for s in ss]
    assert kinds[0] == "agency"
    first_non_agency = next(i for i, k in enumerate(kinds) if k != "agency")
    assert all(k == "agency" for k in kinds[:first_non_agency])
    counts = Counter(kinds)
    assert counts["agency"] >= 2 and counts["banca_specialist"] >= 2
    assert counts["agent"] >= max(3, CFG.customers // 200)
    assert len({s["code"] for s in ss}) == len(ss)
    for s in ss:
        assert {"code", "kind", "name", "agency_code", "phones", "address", "qualified"} <= set(s)
        assert all(normalise_phone(p).valid for p in s["phones"])
    assert any(not s["qualified"] for s in ss)


def test_roughly_the_requested_number_of_persons(book: list) -> None:
    ids = set()
    for app, _ in book:
        for role in ("policyholder", "insured"):
            block = app.get(role) or {}
            if block.get("id_number"):
                ids.add(normalise_id("resident_id", block["id_number"])[:17])
    minors_without_id = sum("minor_no_id" in labels for _, labels in book)
    assert CFG.customers * 0.9 <= len(ids) + minors_without_id <= CFG.customers * 1.05


def test_features_present(book: list) -> None:
    counts = Counter(label for _, labels in book for label in labels)
    for label in (
        "invalid_id",
        "bad_check_digit",
        "sex_mismatch",
        "birth_mismatch",
        "legacy_15",
        "minor_no_id",
        "banca",
        "repeat_customer",
        "shared_phone",
        "shared_account",
        "family_phone",
        "agent_phone",
        "third_party_payer",
        "out_of_scope",
    ):
        assert counts[label] > 0, label
    assert counts["agent_phone"] == CFG.agent_phone_customers
    n = len(book)
    assert 0.01 < counts["invalid_id"] / n < 0.06
    assert 0.2 < counts["banca"] / n < 0.4
    assert 0.02 < counts["out_of_scope"] / n < 0.09


def test_planted_features_are_real(book: list) -> None:
    phones: dict[str, set[str]] = {}
    accounts: dict[str, set[str]] = {}
    seller_codes = {s["code"]: s for s in sellers(CFG)}
    agent_phone = next(iter(s for s in seller_codes.values() if s["kind"] == "agent"))["phones"][0]
    agent_hits = 0
    for app, labels in book:
        ph = app["policyholder"]
        pid = normalise_id("resident_id", ph["id_number"])[:17]
        for p in ph["phones"]:
            phones.setdefault(normalise_phone(p).e164 or p, set()).add(pid)
        acct = app["payer_account"]["number"].replace(" ", "")
        accounts.setdefault(acct, set()).add(pid)
        if normalise_phone(agent_phone).e164 in {normalise_phone(p).e164 for p in ph["phones"]}:
            agent_hits += 1
        if "banca" in labels:
            assert app["channel"] == "bancassurance"
            assert seller_codes[app["seller"]["code"]]["kind"] == "banca_specialist"
            assert app["seller"]["agency_code"]
        if "legacy_15" in labels:
            assert len(ph["id_number"]) == 15
        if "minor_no_id" in labels:
            assert app["insured"]["id_number"] is None
            assert app["insured"]["birth_date"] > "2008"
        if "third_party_payer" in labels:
            assert app["payer_account"]["holder_id_number"] != normalise_id(
                "resident_id", ph["id_number"]
            )
        if "family_phone" in labels:
            assert (
                normalise_phone(app["insured"]["phones"][0]).e164
                == normalise_phone(ph["phones"][0]).e164
                or "shared_phone" in labels
                or "agent_phone" in labels
            )
    assert agent_hits == CFG.agent_phone_customers
    assert any(len(ids) >= 2 for ids in phones.values())
    assert any(len(ids) >= 2 for ids in accounts.values())


def test_repeat_customer_phone_typed_differently(book: list) -> None:
    by_id: dict[str, list[str]] = {}
    for app, _ in book:
        ph = app["policyholder"]
        by_id.setdefault(normalise_id("resident_id", ph["id_number"]), []).append(ph["phones"][0])
    repeated = [typed for typed in by_id.values() if len(typed) >= 2]
    assert repeated
    assert any(
        len(set(t)) >= 2 and len({normalise_phone(p).e164 for p in t}) == 1 for t in repeated
    )


def test_valid_applications_pass_and_invalid_fail(book: list) -> None:
    valid = [app for app, labels in book if "invalid_id" not in labels]
    invalid = [app for app, labels in book if "invalid_id" in labels]
    passed = sum(evaluate(a, as_of=CFG.as_of).verdict == "pass" for a in valid)
    assert passed / len(valid) >= 0.95
    assert all(evaluate(a, as_of=CFG.as_of).verdict == "fail" for a in invalid)
    out = [app for app, labels in book if "out_of_scope" in labels]
    for a in out:
        assert [f.code for f in evaluate(a, as_of=CFG.as_of).findings] == ["OUT_OF_SCOPE"]


def test_products_and_shape(book: list) -> None:
    codes = {p["code"] for p in PRODUCTS}
    for app, _ in book[:200]:
        assert app["product"]["code"] in codes
        assert date.fromisoformat(app["applied_on"]) <= CFG.as_of
        assert {"application_no", "policyholder", "insured", "payer_account", "seller"} <= set(app)
    assert len({app["application_no"] for app, _ in book}) == len(book)
