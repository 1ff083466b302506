"""The client's address behind reverse proxies (pure: the caller passes the request headers
and the trusted proxies).

A request that reaches the application directly has its client in ``REMOTE_ADDR``. Behind a
reverse proxy (a load balancer, nginx) ``REMOTE_ADDR`` is the proxy, and the client is in
``X-Forwarded-For``, which every proxy appends its peer to. Anyone can send that header, so it
is believed only when it came from a proxy we trust, and only as far as the chain of trusted
proxies goes: the right-most address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

#: An address as the audit trail and the login limits store it (the length of an IPv6
#: address with an embedded IPv4 one).
MAX_ADDRESS_LENGTH = 45

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """The networks of ``cidrs`` (``10.0.0.0/8``, ``192.0.2.7``, ``2001:db8::/32``); blank
    entries are skipped. Raises ``ValueError`` naming the first entry that is not one."""
    networks: list[Network] = []
    for cidr in cidrs:
        text = cidr.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as error:
            raise ValueError(f"not an address or network: {text!r}") from error
    return tuple(networks)


def _parse(text: str) -> Address | None:
    value = text.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:8080"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # an IPv4 peer seen on a dual-stack socket ("::ffff:192.0.2.1") is that IPv4 address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(meta: Mapping[str, str], trusted_proxies: Sequence[Network]) -> str:
    """The client's address for a request whose WSGI environment is ``meta``.

    ``REMOTE_ADDR`` unless it is one of ``trusted_proxies``; then the right-most address in
    ``X-Forwarded-For`` (``HTTP_X_FORWARDED_FOR``) that is not a trusted proxy. A header that
    is missing, empty or holds something that is not an address where the search stops falls
    back to ``REMOTE_ADDR``; so does a chain made only of trusted proxies. The result is at
    most ``MAX_ADDRESS_LENGTH`` characters.
    """
    remote = str(meta.get("REMOTE_ADDR") or "").strip()
    fallback = remote[:MAX_ADDRESS_LENGTH]
    peer = _parse(remote)
    if peer is None or not trusted_proxies or not _trusted(peer, trusted_proxies):
        return fallback
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            return fallback  # garbage in the chain: believe nothing beyond our proxy
        if not _trusted(address, trusted_proxies):
            return str(address)[:MAX_ADDRESS_LENGTH]
    return fallback
