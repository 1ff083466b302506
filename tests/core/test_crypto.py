from __future__ import annotations

import base64

import pytest

from veracity.core.crypto import DecryptionError, FieldCrypto, generate_key, parse_keyring

K1, K2, IDX = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32


def crypto(active: str = "k1", keys: dict[str, bytes] | None = None) -> FieldCrypto:
    return FieldCrypto(keys=keys or {"k1": K1, "k2": K2}, active_key_id=active, index_key=IDX)


def test_round_trip_and_format() -> None:
    c = crypto()
    token = c.encrypt("11010519491231002X", aad="customer.id_number")
    assert token.startswith("v1:k1:")
    assert "11010519491231002X" not in token
    assert c.decrypt(token, aad="customer.id_number") == "11010519491231002X"
    raw = base64.urlsafe_b64decode(token.split(":")[2])
    assert len(raw) == 12 + len("11010519491231002X") + 16


def test_random_nonce() -> None:
    c = crypto()
    assert c.encrypt("x", aad="a") != c.encrypt("x", aad="a")


def test_wrong_aad_is_refused() -> None:
    c = crypto()
    token = c.encrypt("王芳", aad="customer.name")
    with pytest.raises(DecryptionError):
        c.decrypt(token, aad="customer.address")


@pytest.mark.parametrize("position", [10, 20, -1])
def test_tamper_detected(position: int) -> None:
    c = crypto()
    token = c.encrypt("13800138000", aad="customer.phone")
    prefix, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[position] ^= 0x01
    bad = prefix + ":" + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(DecryptionError):
        c.decrypt(bad, aad="customer.phone")


@pytest.mark.parametrize(
    "token", ["", "v1:k1", "v2:k1:AAAA", "v1:k9:AAAA", "v1:k1:!!!", "v1:k1:AAAA"]
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(DecryptionError):
        crypto().decrypt(token, aad="a")


def test_rotation() -> None:
    old = crypto("k1")
    token = old.encrypt("secret", aad="t.f")
    new = crypto("k2")
    assert new.key_id_of(token) == "k1"
    assert new.needs_rotation(token)
    assert not old.needs_rotation(token)
    rotated = new.encrypt(new.decrypt(token, aad="t.f"), aad="t.f")
    assert not new.needs_rotation(rotated)
    assert new.decrypt(rotated, aad="t.f") == "secret"
    retired = FieldCrypto(keys={"k2": K2}, active_key_id="k2", index_key=IDX)
    with pytest.raises(DecryptionError):
        retired.decrypt(token, aad="t.f")


def test_blind_index() -> None:
    c = crypto()
    a = c.blind_index("+8613800138000", domain="phone")
    assert a == crypto("k2").blind_index("+8613800138000", domain="phone")  # stable
    assert len(a) == 32 and int(a, 16) >= 0
    assert a != c.blind_index("+8613800138000", domain="account")  # domain separated
    assert a != c.blind_index("+8613800138001", domain="phone")
    other = FieldCrypto(keys={"k1": K1}, active_key_id="k1", index_key=b"\x04" * 32)
    assert a != other.blind_index("+8613800138000", domain="phone")  # keyed
    import hashlib
    import hmac

    assert a == hmac.new(IDX, b"phone\x00+8613800138000", hashlib.sha256).hexdigest()[:32]


def test_parse_keyring() -> None:
    k = generate_key()
    assert len(k) == 32 and k != generate_key()
    spec = f"k1:{base64.b64encode(K1).decode()}, k2:{base64.urlsafe_b64encode(k).decode()}"
    assert parse_keyring(spec) == {"k1": K1, "k2": k}


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "k1",
        "k1:notbase64!",
        f"k1:{base64.b64encode(b'short').decode()}",
        f"k1:{base64.b64encode(K1).decode()},k1:{base64.b64encode(K2).decode()}",
    ],
)
def test_parse_keyring_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_keyring(spec)


def test_constructor_validates() -> None:
    with pytest.raises(ValueError):
        FieldCrypto(keys={"k1": K1}, active_key_id="k2", index_key=IDX)
    with pytest.raises(ValueError):
        FieldCrypto(keys={"k1": b"short"}, active_key_id="k1", index_key=IDX)


def test_encrypt_many_same_format_and_fresh_nonces() -> None:
    c = crypto()
    texts = ["110101199003071234", "王芳", "a/b+c?" * 20]
    tokens = c.encrypt_many(texts, aad="customers.Phone.number")
    assert [c.decrypt(t, aad="customers.Phone.number") for t in tokens] == texts
    for token, text in zip(tokens, texts, strict=True):
        single = c.encrypt(text, aad="customers.Phone.number")
        assert token.split(":")[:2] == single.split(":")[:2] == ["v1", "k1"]
        assert len(token) == len(single)
    assert len({t.split(":")[2][:16] for t in c.encrypt_many(["x"] * 50, aad="a")}) == 50
    assert c.encrypt_many([], aad="a") == []
    with pytest.raises(DecryptionError):
        c.decrypt(tokens[0], aad="customers.Phone.other")
