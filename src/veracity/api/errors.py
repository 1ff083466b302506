"""Error bodies shared by the API's routers and its exception handlers."""

from __future__ import annotations

from typing import Any

from veracity.core.schema import Problem


def rejected_body(problems: list[Problem]) -> dict[str, Any]:
    """A 422 body (``RejectedOut``) of schema problems."""
    if not problems:
        problems = [Problem("", "请求内容不符合接口格式", "the request does not fit the schema")]
    first = problems[0]
    return {
        "code": "invalid",
        "field": first.field,
        "message_zh": f"请求内容不符合接口格式：{first.field or '请求正文'} {first.reason_zh}",
        "message_en": f"The request does not fit the schema: {first.field or 'body'} "
        f"{first.reason_en}",
        "errors": [
            {"field": p.field, "message_zh": p.reason_zh, "message_en": p.reason_en}
            for p in problems
        ],
    }
