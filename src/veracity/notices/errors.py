"""What a failed delivery means: the provider's error codes (Alibaba Cloud SMS ``SendSms``
answers and the carriers' codes in delivery receipts) mapped to a few error classes, with
their words for the failures page.

The classes and the codes mapped to them (``_EXACT`` below is the table itself):

- ``not_in_service`` — the number is empty (空号), suspended (停机) or invalid, a truthfulness
  clue (D1.12): ``isv.MOBILE_NUMBER_ILLEGAL``; in receipts ``PHONEERR``, ``GUNDELIV``,
  ``UNDELIV``, ``NOROUTE`` and the carriers' number-status families ``MK:…``, ``MN:…``,
  ``MI:…``, ``LT:…``, ``2:…`` / ``2_…``; any receipt message saying 空号, 停机, 销号,
  号码不存在 or 用户不存在.
- ``unreachable`` — phone off or out of reach until the message expired: ``EXPIRED``, 关机.
- ``blocked`` — refused by the carrier, the subscriber or the gateway: ``BLACK``,
  ``BLOCKED``, ``PUBLOKD``, ``UNSUBSCRIBE``, ``REJECTD``, ``KEYWORD``,
  ``isv.BLACK_KEY_CONTROL_LIMIT``.
- ``rate_limited`` — over the per-number limits: ``isv.BUSINESS_LIMIT_CONTROL``,
  ``isv.DAY_LIMIT_CONTROL``, ``BEYONDM`` / ``BEYONDH`` / ``BEYONDD``.
- ``template`` — our template or its parameters: ``isv.SMS_TEMPLATE_ILLEGAL``,
  ``isv.SMS_SIGNATURE_ILLEGAL``, ``isv.TEMPLATE_MISSING_PARAMETERS``,
  ``isv.PARAM_LENGTH_LIMIT``, ``isv.INVALID_PARAMETERS``, ``isv.INVALID_JSON_PARAM``.
- ``account`` — the company's SMS account: ``isv.OUT_OF_SERVICE`` (业务停机: *our* account
  is stopped, not the number), ``isv.AMOUNT_NOT_ENOUGH``, ``isv.ACCOUNT_NOT_EXISTS``,
  ``isv.ACCOUNT_ABNORMAL``, ``isv.PRODUCT_UNSUBSCRIBE``, ``InvalidCredentials``,
  ``InvalidAccessKeyId.NotFound``, ``SignatureDoesNotMatch``.
- ``invalid_address`` — an e-mail refused by the mail server for its recipient.
- ``gateway`` — the gateway could not be reached in any attempt (ours, not the customer's).
- ``other`` — anything else.

Only ``not_in_service`` raises ``CONTACT_UNDELIVERABLE``: ``isv.OUT_OF_SERVICE`` reads like
"out of service" but is the sender's account, so it is deliberately *not* in that class.
"""

from __future__ import annotations

from typing import Final

NOT_IN_SERVICE: Final = "not_in_service"

_EXACT: Final[dict[str, str]] = {
    "isv.MOBILE_NUMBER_ILLEGAL": NOT_IN_SERVICE,
    "PHONEERR": NOT_IN_SERVICE,
    "GUNDELIV": NOT_IN_SERVICE,
    "UNDELIV": NOT_IN_SERVICE,
    "NOROUTE": NOT_IN_SERVICE,
    "EXPIRED": "unreachable",
    "BLACK": "blocked",
    "BLOCKED": "blocked",
    "PUBLOKD": "blocked",
    "UNSUBSCRIBE": "blocked",
    "REJECTD": "blocked",
    "REJECT": "blocked",
    "KEYWORD": "blocked",
    "KEYWORDS": "blocked",
    "isv.BLACK_KEY_CONTROL_LIMIT": "blocked",
    "isv.BUSINESS_LIMIT_CONTROL": "rate_limited",
    "isv.DAY_LIMIT_CONTROL": "rate_limited",
    "BEYONDM": "rate_limited",
    "BEYONDH": "rate_limited",
    "BEYONDD": "rate_limited",
    "isv.SMS_TEMPLATE_ILLEGAL": "template",
    "isv.SMS_SIGNATURE_ILLEGAL": "template",
    "isv.TEMPLATE_MISSING_PARAMETERS": "template",
    "isv.PARAM_LENGTH_LIMIT": "template",
    "isv.INVALID_PARAMETERS": "template",
    "isv.INVALID_JSON_PARAM": "template",
    "isv.OUT_OF_SERVICE": "account",
    "isv.AMOUNT_NOT_ENOUGH": "account",
    "isv.ACCOUNT_NOT_EXISTS": "account",
    "isv.ACCOUNT_ABNORMAL": "account",
    "isv.PRODUCT_UNSUBSCRIBE": "account",
    "InvalidCredentials": "account",
    "InvalidAccessKeyId.NotFound": "account",
    "SignatureDoesNotMatch": "account",
    "SMTP_RECIPIENT_REFUSED": "invalid_address",
    "GATEWAY_UNAVAILABLE": "gateway",
}
#: carrier status codes (in receipts) whose family is a number problem (空号、停机、销号)
_NUMBER_PREFIXES: Final = ("MK:", "MN:", "MI:", "LT:", "2:", "2_")
_NUMBER_WORDS: Final = ("空号", "停机", "销号", "号码不存在", "用户不存在")
_OFF_WORDS: Final = ("关机",)

#: Each class in words (zh, en).
CLASS_WORDS: Final[dict[str, tuple[str, str]]] = {
    NOT_IN_SERVICE: ("手机号码为空号、停机或无效", "number not in service or invalid"),
    "unreachable": ("手机关机或无法接通", "phone off or out of reach"),
    "blocked": ("被运营商或用户拦截", "blocked by the carrier or the subscriber"),
    "rate_limited": ("超过短信发送频率限制", "over the sending limits"),
    "template": ("短信模板或参数未被接受", "template or parameters not accepted"),
    "account": ("公司短信账户异常", "the company's SMS account"),
    "invalid_address": ("电子邮箱地址无效", "e-mail address refused"),
    "gateway": ("短信网关多次无法连接", "the gateway could not be reached"),
    "other": ("其他原因", "other reason"),
}


def error_class(code: str, message: str = "") -> str:
    """The class of a provider's error ``code`` (and its message, for the carriers' words)."""
    code = (code or "").strip()
    found = _EXACT.get(code) or _EXACT.get(code.upper())
    if found:
        return found
    if code.upper().startswith(_NUMBER_PREFIXES):
        return NOT_IN_SERVICE
    if any(word in message for word in _NUMBER_WORDS):
        return NOT_IN_SERVICE
    if any(word in message for word in _OFF_WORDS):
        return "unreachable"
    return "other"


def class_words(error_class_: str) -> tuple[str, str]:
    return CLASS_WORDS.get(error_class_, CLASS_WORDS["other"])
