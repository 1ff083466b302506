"""The refusals of the customer area: corrections (``CorrectionError``, namespace
``correction``) and searches (``SearchError``, namespace ``search``)."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        # a correction found by an investigation (customers.corrections)
        "correction.required": (Kind.INVALID, "请填写更正后的数据", "give the corrected values"),
        "correction.malformed": (Kind.INVALID, "格式不正确", "malformed change"),
        "correction.field": (
            Kind.INVALID,
            "不能更正“{name}”（可更正：{allowed_zh}）",
            "{name!r} cannot be corrected (one of: {allowed_en})",
        ),
        "correction.bad_id": (Kind.INVALID, "客户或记录编号不正确", "bad customer or record id"),
        "correction.customer": (
            Kind.FORBIDDEN,
            "只能更正本问题件所涉、且您有权查看的客户的数据",
            "only the customers on this item whose files you may see can be corrected",
        ),
        "correction.record_required": (
            Kind.INVALID,
            "请指明更正哪一条记录",
            "say which record is corrected",
        ),
        "correction.empty": (
            Kind.INVALID,
            "更正后的{what_zh}不能为空",
            "the corrected {what_en} is empty",
        ),
        "correction.sex": (Kind.INVALID, "性别应为男或女", "sex must be M or F"),
        "correction.birth_date": (Kind.INVALID, "应为日期，如1985-03-14", "expected a date"),
        "correction.phone": (Kind.INVALID, "不是有效的电话号码", "not a valid phone number"),
        "correction.account": (
            Kind.INVALID,
            "不是有效的银行账号",
            "not a valid bank account number",
        ),
        "correction.address": (Kind.INVALID, "地址无效", "not a usable address"),
        "correction.no_record": (
            Kind.NOT_FOUND,
            "该客户没有这条记录",
            "the customer has no such record",
        ),
        # the identity rules' own finding, in its words
        "correction.id_number": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "correction.id_taken": (
            Kind.CONFLICT,
            "该证件号码属于另一个客户档案，请先合并档案",
            "this ID number belongs to another customer file; merge the files first",
        ),
        # a customer search (customers.selectors); the search page shows its own words
        "search.kind": (
            Kind.INVALID,
            "未知的查询方式，请选择姓名、证件号码、电话或银行账户。",
            "Unknown kind of search; choose name, ID number, phone or bank account.",
        ),
        "search.query": (Kind.INVALID, "请输入要查找的内容。", "Type what to search for."),
        "search.purpose": (
            Kind.INVALID,
            "请先说明查询目的，然后才能显示个人信息。",
            "State the purpose before any personal data is shown.",
        ),
    }
)
