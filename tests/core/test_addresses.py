"""The client's address behind reverse proxies: ``REMOTE_ADDR`` unless a trusted proxy sent
the request, then the right-most forwarded address that is not a trusted proxy."""

from __future__ import annotations

import pytest

from veracity.core.addresses import MAX_ADDRESS_LENGTH, client_address, trusted_networks

PROXIES = trusted_networks(["10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.10"])


def meta(remote: str | None, forwarded: str | None = None) -> dict[str, str]:
    values = {}
    if remote is not None:
        values["REMOTE_ADDR"] = remote
    if forwarded is not None:
        values["HTTP_X_FORWARDED_FOR"] = forwarded
    return values


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # direct, no header
        ("198.51.100.7", None, "198.51.100.7"),
        # a spoofed header from a peer we do not trust is ignored
        ("198.51.100.7", "203.0.113.5", "198.51.100.7"),
        ("198.51.100.7", "10.0.0.1, 203.0.113.5", "198.51.100.7"),
        # one trusted proxy
        ("10.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("192.0.2.10", "203.0.113.5", "203.0.113.5"),
        # a chain of trusted proxies: the right-most untrusted hop is the client; what the
        # client itself put in front of it is not believed
        ("10.0.0.1", "203.0.113.5, 10.1.1.1, 10.2.2.2", "203.0.113.5"),
        ("10.0.0.1", "1.2.3.4, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        # only trusted proxies in the chain: the proxy is all we know
        ("10.0.0.1", "10.1.1.1, 10.2.2.2", "10.0.0.1"),
        # IPv6 proxy and client, bracketed and with ports
        ("2001:db8:ffff::1", "2001:db8:1::7", "2001:db8:1::7"),
        ("2001:db8:ffff::1", "[2001:db8:1::7]:443", "2001:db8:1::7"),
        ("10.0.0.1", "203.0.113.5:51234", "203.0.113.5"),
        ("10.0.0.1", "2001:db8:1::7, 2001:db8:ffff::2", "2001:db8:1::7"),
        ("2001:db8:1::9", "203.0.113.5", "2001:db8:1::9"),  # untrusted IPv6 peer
        # an IPv4 proxy seen through a dual-stack socket
        ("::ffff:10.0.0.1", "203.0.113.5", "203.0.113.5"),
        # garbage: REMOTE_ADDR
        ("10.0.0.1", "", "10.0.0.1"),
        ("10.0.0.1", "unknown", "10.0.0.1"),
        ("10.0.0.1", "203.0.113.5, <script>", "10.0.0.1"),
        ("10.0.0.1", "203.0.113.5, , 10.1.1.1", "10.0.0.1"),
        ("10.0.0.1", "999.1.1.1", "10.0.0.1"),
        ("10.0.0.1", "x" * 500, "10.0.0.1"),
        # no or strange REMOTE_ADDR: as it is, cut to length, never the header
        (None, "203.0.113.5", ""),
        ("", "203.0.113.5", ""),
        ("not-an-address", "203.0.113.5", "not-an-address"),
        ("y" * 100, "203.0.113.5", "y" * MAX_ADDRESS_LENGTH),
    ],
)
def test_client_address(remote, forwarded, expected):
    assert client_address(meta(remote, forwarded), PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_believed():
    assert client_address(meta("10.0.0.1", "203.0.113.5"), ()) == "10.0.0.1"


def test_result_never_exceeds_the_stored_length():
    longest = "1111:2222:3333:4444:5555:6666:7777:8888"
    assert client_address(meta("10.0.0.1", longest), PROXIES) == longest
    assert len(longest) <= MAX_ADDRESS_LENGTH


@pytest.mark.parametrize(
    ("cidrs", "count"),
    [([], 0), ([" ", ""], 0), (["10.0.0.0/8"], 1), (["10.0.0.1/8", "::1"], 2)],
)
def test_trusted_networks(cidrs, count):
    assert len(trusted_networks(cidrs)) == count


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "proxy.internal", "10.0.0"])
def test_trusted_networks_names_the_bad_entry(bad):
    with pytest.raises(ValueError, match="not an address or network"):
        trusted_networks(["10.0.0.0/8", bad])
