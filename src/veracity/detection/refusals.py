"""The refusals of the problem-item list (``ListingError``, namespace ``listing``): a filter
value the list does not know. One variant per filter, so each names its filter in its words;
the field is the filter's name on the wire."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        "listing.unknown.rule": (Kind.INVALID, "未知的规则代码：{value}", "Unknown rule: {value}"),
        "listing.unknown.status": (Kind.INVALID, "未知的状态：{value}", "Unknown status: {value}"),
        "listing.unknown.channel": (
            Kind.INVALID,
            "未知的渠道：{value}",
            "Unknown channel: {value}",
        ),
        "listing.unknown.stage": (Kind.INVALID, "未知的stage：{value}", "Unknown stage: {value}"),
        "listing.unknown.seller": (
            Kind.INVALID,
            "未知的销售人员代码：{value}",
            "Unknown seller: {value}",
        ),
    }
)
