"""The refusals of a seller row (namespace ``seller``): the row is reported with its line and
left out; the other rows go in."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        # the schema of every entry path (core.schema.SellerIn), in its words
        "seller.schema": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "seller.kind": (
            Kind.INVALID,
            "类型应为 agent、banca_specialist 或 agency",
            "kind must be agent, banca_specialist or agency",
        ),
        "seller.name": (Kind.INVALID, "名称缺失", "name is missing"),
        "seller.agency": (
            Kind.NOT_FOUND,
            "找不到代理机构 {agency_code}",
            "no agency with code {agency_code}",
        ),
    }
)
