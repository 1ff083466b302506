"""The refusals of the audit trail's anchors (``AnchorError``, namespace ``anchor``); the
field is the anchor file's path."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        "anchor.missing": (Kind.NOT_FOUND, "锚点文件不存在", "no such anchor file"),
        "anchor.unreadable": (
            Kind.INVALID,
            "锚点文件无法读取（{error}）",
            "not a readable anchor file ({error})",
        ),
        "anchor.not_object": (
            Kind.INVALID,
            "不是锚点文件（应为 JSON 对象）",
            "not an anchor (expected a JSON object)",
        ),
        "anchor.seq": (
            Kind.INVALID,
            "不是锚点文件（seq 须为非负整数）",
            "not an anchor (seq must be a whole number)",
        ),
        "anchor.hash": (
            Kind.INVALID,
            "不是锚点文件（hash 须为 64 位十六进制数字）",
            "not an anchor (hash must be 64 hexadecimal digits)",
        ),
        "anchor.empty_directory": (
            Kind.NOT_FOUND,
            "该目录中没有锚点文件（*.json）",
            "no anchor files (*.json) in this directory",
        ),
    }
)
