"""``/api/v1``: the truthfulness gate for the core business system and the bancassurance
system (TG-5). OpenAPI at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from veracity.api.auth import ApiToken
from veracity.api.routers.applications import router as applications_router

api = NinjaAPI(
    title="Veracity API",
    version="1",
    description="Customer-information truthfulness gate (D1.2–D1.6).",
    auth=ApiToken(),
    urls_namespace="api",
)
api.add_router("/applications", applications_router)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> Any:
    return api.create_response(
        request,
        {
            "message_zh": "请求内容不符合接口格式",
            "message_en": "The request body does not match the schema",
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> Any:
    return api.create_response(
        request,
        {"message_zh": "令牌无效或缺失", "message_en": "Missing or invalid API token"},
        status=401,
    )
