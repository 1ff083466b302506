from __future__ import annotations

import pytest
from stdnum import luhn

from veracity.core.accounts import check_account, luhn_ok, normalise_account

VALID_CARD = "6222020200001234562"  # 19 digits, passes Luhn


def test_fixture_card_is_luhn_valid() -> None:
    assert luhn.is_valid(VALID_CARD)


@pytest.mark.parametrize(
    ("raw", "normalised", "codes"),
    [
        ("6222 0202 0000 1234 562", VALID_CARD, []),
        ("6222-0202-0000-1234-562", VALID_CARD, []),
        ("６２２２０２０２００００１２３４５６２", VALID_CARD, []),
        ("6222020200001234567", "6222020200001234567", ["ACCOUNT_LUHN"]),
        ("1234567", "1234567", ["ACCOUNT_FORMAT"]),
        ("12345678", "12345678", []),
        ("1" * 30, "1" * 30, []),
        ("1" * 31, "1" * 31, ["ACCOUNT_FORMAT"]),
        ("6222O20200001234568", "6222O20200001234568", ["ACCOUNT_FORMAT"]),
        ("12345678901234", "12345678901234", []),  # 14 digits: not a card, no Luhn
        ("", "", ["ACCOUNT_FORMAT"]),
    ],
)
def test_check_account(raw: str, normalised: str, codes: list[str]) -> None:
    n, found = check_account(raw, field="payer_account.number")
    assert n == normalised
    assert [f.code for f in found] == codes
    for f in found:
        assert f.field == "payer_account.number"
        assert normalised not in str(f.evidence) or len(normalised) < 8
    if codes == ["ACCOUNT_LUHN"]:
        assert found[0].severity == "warning"
        assert found[0].evidence["masked"] == "622202*********4567"


@pytest.mark.parametrize("n", ["4111111111111111", "79927398713", "6222020200001234562", "0"])
def test_luhn_agrees_with_stdnum(n: str) -> None:
    assert luhn_ok(n) == luhn.is_valid(n)
    bad = n[:-1] + str((int(n[-1]) + 1) % 10)
    assert luhn_ok(bad) == luhn.is_valid(bad) is False


def test_normalise_never_raises() -> None:
    assert normalise_account(None) == ""  # type: ignore[arg-type]
