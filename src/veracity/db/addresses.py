"""The client's address of a Django request, behind the proxies of
``settings.VERACITY_TRUSTED_PROXIES`` (the rule is ``veracity.core.addresses``).

Every place that records or counts by address (the audit trail, the login limits, the API)
asks here, so a request gets the same address everywhere.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings

from veracity.core.addresses import Network, client_address, trusted_networks


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return trusted_networks(cidrs)


def trusted_proxies() -> tuple[Network, ...]:
    """The trusted proxies configured now (read on every call, so settings overrides hold)."""
    configured = getattr(settings, "VERACITY_TRUSTED_PROXIES", ())
    if isinstance(configured, str):
        configured = configured.split(",")
    return _networks(tuple(str(c) for c in configured))


def request_address(request: Any) -> str:
    """The client's address of ``request`` (``""`` without a request, e.g. a login from a
    management command)."""
    if request is None:
        return ""
    return client_address(request.META, trusted_proxies())
