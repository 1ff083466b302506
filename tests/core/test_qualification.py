"""SF-1: the qualification rule, table-driven (no Django)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from veracity.core import gate
from veracity.core.qualification import SellerFacts, SellerSnapshot, missing_words, qualification

D = date.fromisoformat
ON = D("2026-06-01")


def _facts(
    *,
    kind: str = "agent",
    courses: tuple[tuple[str, str], ...] = (),
    tests: tuple[tuple[str, bool], ...] = (),
    legacy: tuple[str, ...] = (),
    terminated_on: str | None = None,
) -> SellerFacts:
    return SellerFacts(
        code="AG1",
        kind=kind,
        courses=tuple((D(d), Decimal(h)) for d, h in courses),
        tests=tuple((D(d), ok) for d, ok in tests),
        legacy=tuple(D(d) for d in legacy),
        terminated_on=D(terminated_on) if terminated_on else None,
    )


PASSED = (("2026-03-09", True),)
TWO_HOURS = (("2026-03-02", "2"),)

CASES = [
    # (case, facts, validity_days, holds, missing)
    ("nothing recorded", _facts(), None, False, ("hours", "test")),
    (
        "1.5 hours + passed",
        _facts(courses=(("2026-03-02", "1.5"),), tests=PASSED),
        None,
        False,
        ("hours",),
    ),
    (
        "1.9 hours in two courses",
        _facts(courses=(("2026-03-02", "1"), ("2026-03-03", "0.9")), tests=PASSED),
        None,
        False,
        ("hours",),
    ),
    ("exactly 2 hours + passed", _facts(courses=TWO_HOURS, tests=PASSED), None, True, ()),
    (
        "2 hours in two courses",
        _facts(courses=(("2026-03-02", "1"), ("2026-03-03", "1")), tests=PASSED),
        None,
        True,
        (),
    ),
    (
        "2 hours, test failed",
        _facts(courses=TWO_HOURS, tests=(("2026-03-09", False),)),
        None,
        False,
        ("test",),
    ),
    (
        "failed then passed",
        _facts(courses=TWO_HOURS, tests=(("2026-03-09", False), ("2026-03-20", True))),
        None,
        True,
        (),
    ),
    (
        "passed after the date",
        _facts(courses=TWO_HOURS, tests=(("2026-06-02", True),)),
        None,
        False,
        ("test",),
    ),
    (
        "passed on the date",
        _facts(courses=TWO_HOURS, tests=(("2026-06-01", True),)),
        None,
        True,
        (),
    ),
    (
        "hours after the date",
        _facts(courses=(("2026-06-05", "2"),), tests=PASSED),
        None,
        False,
        ("hours",),
    ),
    (
        "terminated before",
        _facts(courses=TWO_HOURS, tests=PASSED, terminated_on="2026-05-01"),
        None,
        False,
        ("terminated",),
    ),
    (
        "terminated on the date",
        _facts(courses=TWO_HOURS, tests=PASSED, terminated_on="2026-06-01"),
        None,
        False,
        ("terminated",),
    ),
    (
        "terminated later",
        _facts(courses=TWO_HOURS, tests=PASSED, terminated_on="2026-07-01"),
        None,
        True,
        (),
    ),
    ("validity: test within", _facts(courses=TWO_HOURS, tests=PASSED), 365, True, ()),
    (
        "validity: test expired",
        _facts(courses=TWO_HOURS, tests=(("2025-01-01", True),)),
        365,
        False,
        ("test",),
    ),
    (
        "validity: renewed",
        _facts(courses=TWO_HOURS, tests=(("2025-01-01", True), ("2026-05-01", True))),
        365,
        True,
        (),
    ),
    (
        "validity: exactly on the last day",
        _facts(courses=TWO_HOURS, tests=(("2025-06-01", True),)),
        365,
        True,
        (),
    ),
    ("legacy counts as hours + test", _facts(legacy=("2026-01-01",)), None, True, ()),
    ("legacy after the date", _facts(legacy=("2026-07-01",)), None, False, ("hours", "test")),
    (
        "legacy, terminated",
        _facts(legacy=("2026-01-01",), terminated_on="2026-02-01"),
        None,
        False,
        ("terminated",),
    ),
    (
        "nothing, terminated",
        _facts(terminated_on="2026-02-01"),
        None,
        False,
        ("hours", "test", "terminated"),
    ),
    (
        "banca specialist like an agent",
        _facts(kind="banca_specialist"),
        None,
        False,
        ("hours", "test"),
    ),
    ("agency is not asked", _facts(kind="agency"), None, True, ()),
]


@pytest.mark.parametrize(
    ("facts", "validity", "holds", "missing"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_qualification_rule(facts, validity, holds, missing):
    q = qualification(facts, on=ON, validity_days=validity)
    assert q.holds is holds
    assert q.missing == missing


def test_basis_is_shown():
    q = qualification(_facts(courses=TWO_HOURS, tests=PASSED), on=ON)
    assert q.hours == Decimal(2)
    assert q.test_passed_on == D("2026-03-09")
    assert q.basis == ("hours", "test")
    assert not q.by_legacy
    legacy = qualification(_facts(legacy=("2026-01-01",)), on=ON)
    assert legacy.by_legacy and legacy.legacy_on == D("2026-01-01")
    agency = qualification(_facts(kind="agency"), on=ON)
    assert agency.applies is False


def test_missing_words():
    words = missing_words(("hours", "test"), chinese=True)
    assert words == "投保单规范填写培训不足2课时、未通过投保单规范填写测试"
    assert "terminated" in missing_words(("terminated",), chinese=False)


def _app(code: str | None, applied_on: str = "2026-06-01") -> dict[str, object]:
    app: dict[str, object] = {
        "application_no": "A1",
        "applied_on": applied_on,
        "channel": "agency",
        "product": {"code": "P1", "type": "other"},
        "policyholder": {},
    }
    if code is not None:
        app["seller"] = {"code": code}
    return app


SNAP = SellerSnapshot(
    facts={
        "AG1": _facts(courses=TWO_HOURS, tests=PASSED),
        "AG2": _facts(courses=(("2026-03-02", "1"),)),
    }
)


def _seller_findings(app, sellers=SNAP):
    # "other" products are out of scope; put the app in scope with a known type
    app["product"] = {"code": "P1", "type": "ordinary_life", "term_years": 10}
    verdict = gate.evaluate(app, as_of=ON, sellers=sellers)
    return verdict, [f for f in verdict.findings if f.code.startswith("SELLER_")]


@pytest.mark.parametrize(
    ("code", "applied_on", "expected"),
    [
        ("AG1", "2026-06-01", []),
        ("AG1", "2026-03-05", [("SELLER_UNQUALIFIED", "error")]),  # before the test
        ("AG2", "2026-06-01", [("SELLER_UNQUALIFIED", "error")]),
        ("ZZ9", "2026-06-01", [("SELLER_UNKNOWN", "warning")]),
        (None, "2026-06-01", []),
    ],
)
def test_gate_seller_findings(code, applied_on, expected):
    _, found = _seller_findings(_app(code, applied_on))
    assert [(f.code, str(f.severity)) for f in found] == expected
    for f in found:
        assert f.field == "seller.code"
        assert "AG" not in f.message_zh or code in f.message_zh


def test_gate_names_what_is_missing():
    _, found = _seller_findings(_app("AG2"))
    assert found[0].evidence["missing"] == ["hours", "test"]
    assert "不足2课时" in found[0].message_zh and "测试" in found[0].message_zh
    assert "class hours" in found[0].message_en


def test_gate_without_snapshot_does_not_ask():
    _, found = _seller_findings(_app("ZZ9"), sellers=None)
    assert found == []
