"""The refusals of reading an input file (``UnreadableFile``, namespace ``ingest``): the whole
file cannot be read, so no row is looked at."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        "ingest.file_type": (
            Kind.INVALID,
            "不支持的文件类型 {suffix_zh}，请使用 {allowed_zh}",
            "unsupported file type {suffix_en}; use {allowed_en}",
        ),
        "ingest.not_found": (Kind.NOT_FOUND, "找不到文件 {path}", "file not found: {path}"),
        "ingest.unknown_encoding": (
            Kind.INVALID,
            "未知的文件编码 {declared}",
            "unknown encoding {declared}",
        ),
        "ingest.not_declared_encoding": (
            Kind.INVALID,
            "文件不是所声明的 {declared} 编码（第 {line} 行第 {column} 个字节无法解码）",
            "the file is not in the declared encoding {declared} "
            "(line {line}, byte {column} cannot be decoded)",
        ),
        "ingest.unknown_file_encoding": (
            Kind.INVALID,
            "无法确定文件编码（{where_zh}）。文件应为 UTF-8；如为其他编码（如 Big5），请用 "
            "--encoding 指明",
            "cannot tell the file's encoding ({where_en}). Files are UTF-8; name any other "
            "encoding (e.g. big5) with --encoding",
        ),
        "ingest.undecodable": (
            Kind.INVALID,
            "无法识别文件编码（应为 UTF-8 或 GB18030）",
            "cannot decode the file (expected UTF-8 or GB18030)",
        ),
        "ingest.excel": (
            Kind.INVALID,
            "无法打开 Excel 文件",
            "cannot open the Excel file ({error})",
        ),
    }
)
