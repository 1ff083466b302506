"""``/api/v1``: the truthfulness gate for the core business system and the bancassurance
system (TG-5). OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs`` (in production
for API clients and administrators only: ``veracity.api.docs``)."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from veracity.api.auth import ApiToken
from veracity.api.docs import docs_guard
from veracity.api.errors import rejected_body
from veracity.api.routers.applications import router as applications_router
from veracity.api.routers.cases import router as cases_router
from veracity.api.routers.complaints import callbacks_router
from veracity.api.routers.complaints import router as complaints_router
from veracity.api.routers.inquiries import router as inquiries_router
from veracity.api.routers.penalties import router as penalties_router
from veracity.api.routers.policy_events import router as policy_events_router
from veracity.api.routers.problem_items import router as problem_items_router
from veracity.api.routers.sms import router as sms_router
from veracity.api.routers.training import router as training_router
from veracity.api.throttle import TokenRateThrottle
from veracity.core.refusals import HTTP_STATUS, Refusal
from veracity.core.schema import describe

#: Every authenticated operation may answer this (the per-token rate limit).
TOO_MANY_REQUESTS = {
    "description": "Over the client's rate limit: retry after the seconds in Retry-After",
    "headers": {
        "Retry-After": {
            "description": "Seconds until the client's window ends",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "const": "rate_limited"},
                    "field": {"type": "string"},
                    "message_zh": {"type": "string"},
                    "message_en": {"type": "string"},
                },
                "required": ["code", "field", "message_zh", "message_en"],
            }
        }
    },
}


class VeracityApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and operation.get("security"):
                    operation.setdefault("responses", {}).setdefault("429", TOO_MANY_REQUESTS)
        return schema


api = VeracityApi(
    title="Veracity API",
    version="1",
    description="Customer-information truthfulness gate (D1.2–D1.6).",
    auth=ApiToken(),
    throttle=TokenRateThrottle(),
    urls_namespace="api",
    docs_decorator=docs_guard,
)
api.add_router("/applications", applications_router)
api.add_router("/problem-items", problem_items_router)
api.add_router("/problem-items", cases_router)
# complaints and the second callbacks of a re-check (SF-2, SD-4)
api.add_router("/complaints", complaints_router)
api.add_router("/problem-items", callbacks_router)
api.add_router("/penalties", penalties_router)  # issue 13
api.add_router("/policy-events", policy_events_router)  # issue 14
api.add_router("/inquiries", inquiries_router)  # issue 14: verified inquiry
api.add_router("/training", training_router)  # issue 13: the sales-management system
api.add_router("/sms", sms_router)  # issue 14: delivery receipts of customer notices


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> Any:
    """The same words as a rejected row of a file: every field that does not fit, and why."""
    problems = []
    for error in exc.errors:
        # ("body", "payload", "policyholder", ...) or ("path", "item_id")
        skip = 2 if tuple(error.get("loc") or ())[:1] == ("body",) else 1
        problems.extend(describe([error], skip=skip))
    return api.create_response(request, rejected_body(problems), status=422)


@api.exception_handler(Refusal)
def _refused(request: HttpRequest, exc: Refusal) -> Any:
    """Every refusal the same way: the status its kind says, the body from its catalogue entry
    (``ErrorOut``)."""
    return api.create_response(request, exc.to_dict(), status=HTTP_STATUS[exc.kind])


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> Any:
    return api.create_response(
        request,
        {"message_zh": "令牌无效或缺失", "message_en": "Missing or invalid API token"},
        status=401,
    )


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> Any:
    """Over the per-token rate limit (ninja adds ``Retry-After``)."""
    wait = max(1, math.ceil(exc.wait or 1))
    return api.create_response(
        request,
        {
            "code": "rate_limited",
            "field": "",
            "message_zh": f"请求过于频繁，请在 {wait} 秒后重试",
            "message_en": f"Too many requests for this token: retry in {wait} s",
        },
        status=429,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> Any:
    """E.g. a body that is not JSON at all: the same error shape as every other refusal."""
    return api.create_response(
        request,
        {
            "code": "malformed",
            "field": "",
            "message_zh": "请求无法处理（请求正文须为 JSON 对象）",
            "message_en": str(exc),
        },
        status=exc.status_code,
    )


@api.exception_handler(MultiPartParserError)
def _multipart_error(request: HttpRequest, exc: MultiPartParserError) -> Any:
    """A multipart body that cannot be parsed (no boundary, broken framing): the error shape,
    not Django's HTML page."""
    return api.create_response(
        request,
        {
            "code": "malformed",
            "field": "",
            "message_zh": "请求无法处理（multipart 请求正文格式不正确）",
            "message_en": f"Cannot parse the multipart request body: {exc}",
        },
        status=400,
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> Any:
    return api.create_response(
        request,
        {
            "code": "too_large",
            "field": "",
            "message_zh": "请求正文过大",
            "message_en": "The request body is too large",
        },
        status=413,
    )
