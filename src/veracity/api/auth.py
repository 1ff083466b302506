"""Bearer-token authentication of API clients (core system, bancassurance system)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from veracity.access.models import ApiClient, hash_token
from veracity.db.addresses import request_address
from veracity.org.principals import System
from veracity.policies.services import ClientScope


class ApiToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = ApiClient.objects.filter(token_hash=hash_token(token), active=True).first()
        if client is not None:
            request.api_client = client  # type: ignore[attr-defined]
        return client


def client_of(request: Any) -> ApiClient:
    client: ApiClient = request.auth
    return client


def scope_of(client: ApiClient) -> ClientScope:
    """What the client may write: its own system's applications, in its channels."""
    return ClientScope(system=client.system, channels=frozenset(client.channels or ()))


def designated_person(client: ApiClient) -> Any | None:
    """The client's designated staff user, through whom it acts; ``None`` when it has none
    or the person is no longer active."""
    user = client.designated_user
    return user if user is not None and user.is_active else None


def principal_of_client(request: Any, *, as_person: bool = True, purpose: str = "") -> System:
    """The one place the API makes its principal: the calling client (``api:<name>``) at
    the request's address, acting through its designated person (``as_person``; without
    one, or with ``as_person=False``, it acts as the system alone)."""
    client = client_of(request)
    return System(
        f"api:{client.name}",
        person=designated_person(client) if as_person else None,
        address=request_address(request),
        purpose=purpose,
    )
