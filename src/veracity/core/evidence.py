"""What an evidence file may be (D1.13: scans, photos, PDFs, recordings) — decided from its
bytes, not from the name or the type the browser claims, so a renamed executable is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FORMATS", "MAX_BYTES", "EvidenceRejected", "FileFormat", "check_file", "sniff"]

#: Largest evidence file accepted (a phone recording of a callback, a multi-page scan).
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileFormat:
    name: str
    content_type: str
    extensions: tuple[str, ...]


FORMATS: tuple[FileFormat, ...] = (
    FileFormat("pdf", "application/pdf", (".pdf",)),
    FileFormat("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    FileFormat("png", "image/png", (".png",)),
    FileFormat("tiff", "image/tiff", (".tif", ".tiff")),
    FileFormat("mp3", "audio/mpeg", (".mp3",)),
    FileFormat("m4a", "audio/mp4", (".m4a", ".mp4")),
    FileFormat("wav", "audio/wav", (".wav",)),
    FileFormat("amr", "audio/amr", (".amr",)),
)
_BY_NAME = {f.name: f for f in FORMATS}


class EvidenceRejected(ValueError):
    """A file that cannot be evidence; ``code`` is stable, the messages say why."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.message_zh = zh
        self.message_en = en


def sniff(data: bytes) -> FileFormat | None:
    """The format the bytes are in, by their signature; None for anything else."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return _BY_NAME["pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return _BY_NAME["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _BY_NAME["png"]
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _BY_NAME["tiff"]
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return _BY_NAME["wav"]
    if head.startswith(b"#!AMR"):
        return _BY_NAME["amr"]
    if head[4:8] == b"ftyp":
        return _BY_NAME["m4a"]
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return _BY_NAME["mp3"]
    return None


def check_file(filename: str, data: bytes) -> FileFormat:
    """The file's format, or :class:`EvidenceRejected` naming the reason: empty, too large,
    not a scan/photo/PDF/recording, or a name that says one format while the bytes are
    another."""
    if not data:
        raise EvidenceRejected("empty", "文件为空", "the file is empty")
    if len(data) > MAX_BYTES:
        mb = MAX_BYTES // (1024 * 1024)
        raise EvidenceRejected(
            "too_large", f"文件超过{mb}MB上限", f"the file is larger than the {mb} MB limit"
        )
    found = sniff(data)
    if found is None:
        allowed = "PDF, JPEG, PNG, TIFF, MP3, M4A, WAV, AMR"
        raise EvidenceRejected(
            "type",
            f"不支持的文件类型（允许：{allowed}）",
            f"not an accepted file type (accepted: {allowed})",
        )
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in found.extensions:
        raise EvidenceRejected(
            "mismatch",
            f"文件名后缀“{suffix or '无'}”与文件内容（{found.name.upper()}）不符",
            f"the name's extension {suffix or '(none)'!r} does not match the content"
            f" ({found.name.upper()})",
        )
    return found
