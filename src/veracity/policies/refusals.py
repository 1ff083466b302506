"""The refusals of storing an application (``RejectedRow`` and ``OutOfScope``, namespace
``application``): a row that cannot be stored at all, or one the calling system may not
write."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        # the schema of every entry path (core.schema), in its words
        "application.schema": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "application.unprocessable": (
            Kind.INVALID,
            "该行无法处理（已记录在系统日志中）",
            "this row could not be processed (logged)",
        ),
        # what an API client may write (ClientScope)
        "application.other_system": (
            Kind.FORBIDDEN,
            "该投保单由其他系统提交，本系统不能修改",
            "this application was submitted by another system ({source_system});"
            " the {system} system may not change it",
        ),
        "application.channel_not_allowed": (
            Kind.FORBIDDEN,
            "本系统不能提交或修改{channel_zh}渠道的投保单（本系统的渠道：{allowed_zh}）",
            "this system may not submit or change applications of the {channel_en} channel"
            " (its channels: {allowed_en})",
        ),
    }
)

register(
    {
        # who may record policy service events (``event_services.may_record``)
        "policy_events.forbidden": (
            Kind.FORBIDDEN,
            "只有核心业务系统可以报送保单服务记录",
            "only the core business system may record policy service events",
        ),
    }
)
