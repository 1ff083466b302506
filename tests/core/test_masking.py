from __future__ import annotations

import pytest

from veracity.core.masking import MaskPolicy, mask


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("11010519491231002X", "id_number", "1****************X"),
        ("13800138000", "phone", "138****8000"),
        ("+8613800138000", "phone", "138****8000"),
        ("+86 138-0013-8000", "phone", "138****8000"),
        ("010-65529988", "phone", "*******9988"),
        ("6222 0202 0000 1234 569", "account", "622202*********4569"),
        ("北京市朝阳区建国路88号3栋", "address", "北京市朝阳区****"),
        ("wangfang@163.com", "email", "w***@163.com"),
        ("王芳", "name", "王*"),
        ("王小芳", "name", "王*芳"),
        ("欧阳小芳", "name", "欧**芳"),
        ("王", "name", "*"),
        (None, "id_number", ""),
        ("", "phone", ""),
        ("12", "account", "**"),
        ("secret", "unknown-kind", "******"),
    ],
)
def test_mask(value: str | None, kind: str, expected: str) -> None:
    assert mask(value, kind) == expected


def test_policy_changes_mask() -> None:
    policy = MaskPolicy(id_keep=(6, 4), name_keep_last=False)
    assert mask("11010519491231002X", "id_number", policy) == "110105********002X"
    assert mask("王小芳", "name", policy) == "王**"
