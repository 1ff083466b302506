"""The refusals of customer notices (namespace ``notices``)."""

from __future__ import annotations

from veracity.core.refusals import Kind, Refusal, register

register(
    {
        "notices.sms_client": (
            Kind.FORBIDDEN,
            "只有短信网关系统可以报送送达回执",
            "only the SMS gateway system reports delivery receipts",
        ),
        "notices.month": (
            Kind.INVALID,
            "月份格式应为 YYYY-MM",
            "the month must be YYYY-MM",
        ),
    }
)


class NoticeError(Refusal):
    namespace = "notices"
