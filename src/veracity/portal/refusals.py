"""The refusals of the customer portal (namespace ``portal``) and of the contact changes a
customer reports (namespace ``contact_change``), in the one catalogue
(``veracity.core.refusals``). A refusal of a sign-in step never says which part was wrong."""

from __future__ import annotations

from veracity.core.refusals import Kind, Refusal, register

register(
    {
        "portal.login": (
            Kind.INVALID,
            "证件号码或密码不正确",
            "the ID number or the password is not correct",
        ),
        "portal.locked": (
            Kind.FORBIDDEN,
            "尝试次数过多，请{minutes}分钟后再试",
            "too many attempts; try again in {minutes} minutes",
        ),
        "portal.code": (
            Kind.INVALID,
            "验证码不正确或已失效，请重新获取",
            "the code is wrong or no longer valid; ask for a new one",
        ),
        "portal.password": (
            Kind.INVALID,
            "密码不符合要求",
            "the password does not meet the rules",
        ),
        "portal.not_found": (
            Kind.NOT_FOUND,
            "未找到该保单",
            "no such policy",
        ),
        "contact_change.value": (
            Kind.INVALID,
            "{what_zh}格式不正确",
            "the {what_en} is not valid",
        ),
        "contact_change.kind": (
            Kind.INVALID,
            "请选择要变更的信息",
            "choose what to change",
        ),
        "contact_change.not_found": (
            Kind.NOT_FOUND,
            "未找到该变更申请",
            "no such change request",
        ),
        "contact_change.state": (
            Kind.CONFLICT,
            "该变更申请已处理",
            "this change request has already been decided",
        ),
        "contact_change.reason": (
            Kind.INVALID,
            "请填写驳回原因",
            "give the reason for the rejection",
        ),
    }
)


class PortalError(Refusal):
    namespace = "portal"


class ContactChangeError(Refusal):
    namespace = "contact_change"
