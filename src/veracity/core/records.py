"""Rows of a file (CSV/Excel, dotted column names) <-> nested application dicts.

``policyholder.phones`` holds ``;``-separated phones; ``beneficiaries`` is a JSON string
or indexed columns ``beneficiaries.0.name``; ``product.term_years`` and ``share`` are
numbers. Empty cells become ``None``. Values that cannot be converted are kept as text
so the gate can report them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

__all__ = ["flatten", "unflatten"]

_LIST_FIELDS: Final = frozenset({"phones"})
_NUMERIC_FIELDS: Final = frozenset({"term_years", "share", "hours", "score"})
_JSON_FIELDS: Final = frozenset({"beneficiaries", "relatives"})
_PHONE_SPLIT: Final = re.compile(r"[;；]")
_INT: Final = re.compile(r"[+-]?\d+")
_FLOAT: Final = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")


def _number(v: str) -> object:
    if _INT.fullmatch(v):
        return int(v)
    if _FLOAT.fullmatch(v):
        f = float(v)
        return int(f) if f.is_integer() else f
    return v


def _convert(last: str, value: str | None) -> object:
    if value is None:
        return None
    v = str(value).strip()
    if not v:
        return None
    if last in _LIST_FIELDS:
        parts = [p.strip() for p in _PHONE_SPLIT.split(v)]
        return [p for p in parts if p] or None
    if last in _NUMERIC_FIELDS:
        return _number(v)
    if last in _JSON_FIELDS:
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _listify(node: object) -> object:
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        if converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return node


def unflatten(row: Mapping[str, str | None]) -> dict[str, Any]:
    """The nested application dict of a flat row with dotted column names."""
    root: dict[str, Any] = {}
    # Shorter paths first, so "insured" = "" never overwrites "insured.name".
    for key in sorted(row, key=lambda k: k.count(".")):
        if key is None:
            continue
        parts = [p.strip() for p in str(key).strip().split(".")]
        if not parts or not parts[0]:
            continue
        value = _convert(parts[-1], row[key])
        node: dict[str, Any] = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        last = parts[-1]
        if isinstance(node.get(last), dict) and value is None:
            continue
        node[last] = value
    result = _listify(root)
    assert isinstance(result, dict)
    return result


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def flatten(app: Mapping[str, Any]) -> dict[str, str]:
    """The inverse of :func:`unflatten`: dotted columns, phones joined by ``;``,
    lists of records (beneficiaries) as a JSON string."""
    out: dict[str, str] = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, Mapping):
            if not node:
                out[prefix] = ""
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(node, list | tuple):
            if any(isinstance(x, Mapping) for x in node):
                out[prefix] = json.dumps(
                    list(node), ensure_ascii=False, default=_default, separators=(",", ":")
                )
            else:
                out[prefix] = ";".join(_cell(x) for x in node)
        else:
            out[prefix] = _cell(node)

    walk("", app)
    return out
