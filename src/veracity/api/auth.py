"""Bearer-token authentication of API clients (core system, bancassurance system)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from veracity.access.models import ApiClient, hash_token
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
