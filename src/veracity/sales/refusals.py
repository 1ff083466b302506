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
        "seller.relative": (
            Kind.INVALID,
            "亲属 {name} 重复登记",
            "relative {name} is listed twice",
        ),
        "seller.forbidden": (
            Kind.FORBIDDEN,
            "您没有维护销售人员信息的权限",
            "you may not change the seller register",
        ),
        "seller.not_found": (Kind.NOT_FOUND, "找不到该销售人员", "no such seller"),
        # SF-1: training records (courses, tests, legacy qualifications)
        "training.schema": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "training.seller": (
            Kind.NOT_FOUND,
            "销售人员名册中没有编号为 {seller_code} 的人员",
            "no seller with code {seller_code} in the register",
        ),
        "training.agency": (
            Kind.INVALID,
            "代理机构不参加资格培训和测试",
            "agencies take no qualification training or test",
        ),
        "training.hours": (
            Kind.INVALID,
            "课程须填写课时（大于0）",
            "a course needs its class hours (more than 0)",
        ),
        "training.course_code": (
            Kind.INVALID,
            "课程须填写课程编号",
            "a course needs its course code",
        ),
        "training.passed": (
            Kind.INVALID,
            "测试须填写是否通过",
            "a test needs its result (passed or not)",
        ),
        "training.source": (
            Kind.INVALID,
            "原有资格须注明来源",
            "a legacy qualification needs its source",
        ),
        "training.not_for_kind": (
            Kind.INVALID,
            "该类记录不应填写此项",
            "this field does not belong to this kind of record",
        ),
        "training.sellers": (
            Kind.INVALID,
            "请至少选择一名参加人员",
            "choose at least one attendee",
        ),
        "training.too_many": (
            Kind.INVALID,
            "每批最多{limit}条培训记录",
            "at most {limit} training records in one batch",
        ),
        "training.forbidden": (
            Kind.FORBIDDEN,
            "您没有登记培训和测试的权限",
            "you may not record training or tests",
        ),
    }
)
