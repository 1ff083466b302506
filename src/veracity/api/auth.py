"""Bearer-token authentication of API clients (core system, bancassurance system)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from veracity.access.models import ApiClient, hash_token


class ApiToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = ApiClient.objects.filter(token_hash=hash_token(token), active=True).first()
        if client is not None:
            request.api_client = client  # type: ignore[attr-defined]
        return client


def client_of(request: Any) -> ApiClient:
    client: ApiClient = request.auth
    return client
