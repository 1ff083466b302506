"""The per-token rate limit of API clients (``VERACITY_API_RATE``, "N/S": at most N requests
in each window of S seconds; default 60/10).

Counted in Django's cache with an atomic ``add`` + ``incr`` per (client, window) — Redis
when ``REDIS_URL`` is set, so every gunicorn worker counts into the same number. (Ninja's
own ``AuthRateThrottle`` reads a list and writes it back, which lets concurrent workers
lose each other's requests.) A fixed window lets a client send up to 2N across a window
boundary; the limit is about sustained rates, and that is the price of one counter.

Over the limit the request is answered 429 with ``Retry-After`` (the seconds until the
window ends); the first refusal of a window writes one ``api_throttled`` audit event, the
rest of that window's refusals do not (a flood would otherwise flood the trail).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from veracity.access.models import ApiClient
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.db.addresses import request_address


@dataclass(frozen=True, slots=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "60/10" → 60 requests per 10 seconds."""
        count, _, period = str(text).partition("/")
        rate = cls(int(count), int(period or "1"))
        if rate.requests < 1 or rate.seconds < 1:
            raise ValueError(f"VERACITY_API_RATE must be N/S with N, S ≥ 1, not {text!r}")
        return rate


def clock() -> float:
    """Epoch seconds (one place, so tests can move time)."""
    return time.time()


def api_rate() -> Rate:
    return Rate.parse(getattr(settings, "VERACITY_API_RATE", "60/10"))


def count_request(*, client_id: int, rate: Rate, now: float) -> tuple[int, int, int]:
    """Count one request of the client in the current window: (its number in the window,
    the window's start in epoch seconds, seconds until the window ends)."""
    window = int(now // rate.seconds) * rate.seconds
    key = f"api-rate:{client_id}:{rate.seconds}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        number = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds + 1)
        number = 1
    return number, window, max(1, math.ceil(window + rate.seconds - now))


class TokenRateThrottle(BaseThrottle):
    """Ninja throttle of the API: runs after the token is authenticated."""

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        client = getattr(request, "auth", None)
        if not isinstance(client, ApiClient):
            return True
        rate = api_rate()
        number, window, retry_after = count_request(client_id=client.pk, rate=rate, now=clock())
        if number <= rate.requests:
            return True
        self._local.wait = retry_after
        if number == rate.requests + 1:
            audit_record(
                actor=Actor(label=f"api:{client.name}", ip=request_address(request)),
                event=Event(
                    action=Action.API_THROTTLED,
                    object_type="api_client",
                    object_id=str(client.pk),
                    detail={
                        "limit": rate.requests,
                        "seconds": rate.seconds,
                        "window_start": window,
                        "path": request.path[:200],
                    },
                ),
            )
        return False

    def wait(self) -> float | None:
        return float(getattr(self._local, "wait", 1))
