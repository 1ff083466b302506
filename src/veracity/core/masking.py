"""Display masks per field class (AG-10: masked where the full value is not needed)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["DEFAULT", "KINDS", "MaskPolicy", "mask"]

KINDS = frozenset({"id_number", "phone", "account", "address", "email", "name"})


@dataclass(frozen=True)
class MaskPolicy:
    id_keep: tuple[int, int] = (1, 1)
    mobile_keep: tuple[int, int] = (3, 4)
    landline_keep: tuple[int, int] = (0, 4)
    card_keep: tuple[int, int] = (6, 4)
    address_keep_chars: int = 6
    address_mask: str = "****"
    name_keep_last: bool = True  # 王*芳 for names of three or more characters
    mask_char: str = "*"


DEFAULT = MaskPolicy()


def _keep(s: str, keep: tuple[int, int], ch: str) -> str:
    head, tail = keep
    if len(s) <= head + tail:
        # Too short to show anything safely.
        return ch * len(s)
    return s[:head] + ch * (len(s) - head - tail) + (s[len(s) - tail :] if tail else "")


def _phone(value: str, policy: MaskPolicy) -> str:
    s = "".join(c for c in value if c.isdigit() or c == "+")
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    s = s.lstrip("+")
    if len(s) == 11 and s[0] == "1":
        return _keep(s, policy.mobile_keep, policy.mask_char)
    return _keep(s, policy.landline_keep, policy.mask_char)


def mask(value: str | None, kind: str, policy: MaskPolicy = DEFAULT) -> str:
    """The masked display form; ``None`` gives ``""``. Unknown kinds are fully masked."""
    if value is None:
        return ""
    v = unicodedata.normalize("NFKC", str(value)).strip()
    if not v:
        return ""
    ch = policy.mask_char
    if kind == "id_number":
        return _keep("".join(v.split()).upper(), policy.id_keep, ch)
    if kind == "phone":
        return _phone(v, policy)
    if kind == "account":
        return _keep("".join(c for c in v if c not in " -"), policy.card_keep, ch)
    if kind == "address":
        n = policy.address_keep_chars
        return v[:n] + policy.address_mask if len(v) > n else v[:1] + policy.address_mask
    if kind == "email":
        local, at, domain = v.partition("@")
        if not at:
            return ch * len(v)
        return local[:1] + ch * 3 + "@" + domain
    if kind == "name":
        if len(v) == 1:
            return ch
        if len(v) == 2 or not policy.name_keep_last:
            return v[0] + ch * (len(v) - 1)
        return v[0] + ch * (len(v) - 2) + v[-1]
    return ch * len(v)
