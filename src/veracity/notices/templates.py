"""Which template a notice is written from, the parameters an event gives it, and its text."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from veracity.core.policy_events import CHANGE_WORDS, CLAIM_RESULT_WORDS, EventKind
from veracity.notices.models import NoticeTemplate


def template_code(kind: str, data: Mapping[str, Any]) -> str:
    """``claim_reviewed`` has one template per result; every other kind one."""
    if kind == EventKind.CLAIM_REVIEWED:
        return f"claim_reviewed_{data.get('result', 'approved')}"
    return str(kind)


def _amount(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return ""


def notice_params(
    *, kind: str, policy_no: str, occurred_on: str, data: Mapping[str, Any]
) -> dict[str, str]:
    """The template parameters of an event (all text, as the SMS provider wants them)."""
    params: dict[str, str] = {"policy_no": policy_no or "", "occurred_on": occurred_on}
    for key in ("effective_on", "cooling_off_ends_on", "due_on", "claim_no", "reason", "benefit"):
        if data.get(key):
            params[key] = str(data[key])
    if data.get("amount") is not None:
        params["amount"] = _amount(data["amount"])
    if data.get("period") is not None:
        params["period"] = str(data["period"])
    if kind == EventKind.CLAIM_REVIEWED:
        params["result"] = CLAIM_RESULT_WORDS.get(str(data.get("result")), ("", ""))[0]
    if kind == EventKind.POLICY_CHANGED:
        params["change"] = CHANGE_WORDS.get(str(data.get("change")), ("", ""))[0]
    return params


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER = string.Formatter()


def render(text: str, params: Mapping[str, Any]) -> str:
    """``text`` with its ``{placeholders}`` filled; a missing one is left empty (never an
    error, never a placeholder shown to a customer)."""
    values = _Blank({k: str(v) for k, v in params.items()})
    out = []
    for literal, field_name, _spec, _conv in _FORMATTER.parse(text):
        out.append(literal)
        if field_name is not None:
            out.append(values[field_name])
    return "".join(out)


def active_templates() -> dict[tuple[str, str], NoticeTemplate]:
    """(code, channel) → the newest active version."""
    out: dict[tuple[str, str], NoticeTemplate] = {}
    for t in NoticeTemplate.objects.filter(active=True).order_by("code", "channel", "version"):
        out[(t.code, t.channel)] = t
    return out


def template_texts(keys: set[tuple[str, str, int]]) -> dict[tuple[str, str, int], NoticeTemplate]:
    """(code, channel, version) → template, for rendering notices already written."""
    if not keys:
        return {}
    codes = {k[0] for k in keys}
    return {
        (t.code, t.channel, t.version): t
        for t in NoticeTemplate.objects.filter(code__in=codes)
        if (t.code, t.channel, t.version) in keys
    }
