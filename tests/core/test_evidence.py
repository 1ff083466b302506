"""What an evidence file may be, judged by its bytes (D1.13): scans, photos, PDFs and
recordings up to 20 MB, named for what they are."""

from __future__ import annotations

import pytest

from veracity.core.evidence import MAX_BYTES, EvidenceRejected, check_file, sniff

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
TIFF_LE = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
TIFF_BE = b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 32
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 32
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 32
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32
AMR = b"#!AMR\n" + b"\x00" * 32

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 32  # also .docx / .xlsx
HTML = b"<!doctype html><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("filename", "data", "name", "content_type"),
    [
        ("scan.pdf", PDF, "pdf", "application/pdf"),
        ("SCAN.PDF", PDF, "pdf", "application/pdf"),
        ("photo.jpg", JPEG, "jpeg", "image/jpeg"),
        ("photo.jpeg", JPEG, "jpeg", "image/jpeg"),
        ("id-card.png", PNG, "png", "image/png"),
        ("fax.tif", TIFF_LE, "tiff", "image/tiff"),
        ("fax.tiff", TIFF_BE, "tiff", "image/tiff"),
        ("callback.mp3", MP3_ID3, "mp3", "audio/mpeg"),
        ("callback.mp3", MP3_FRAME, "mp3", "audio/mpeg"),
        ("callback.m4a", M4A, "m4a", "audio/mp4"),
        ("callback.wav", WAV, "wav", "audio/wav"),
        ("callback.amr", AMR, "amr", "audio/amr"),
        ("客户确认书.pdf", PDF, "pdf", "application/pdf"),
        ("two.dots.in.name.pdf", PDF, "pdf", "application/pdf"),
    ],
)
def test_accepted(filename, data, name, content_type):
    found = check_file(filename, data)
    assert (found.name, found.content_type) == (name, content_type)
    assert sniff(data) == found


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("empty.pdf", b"", "empty"),
        ("huge.pdf", PDF + b"\x00" * MAX_BYTES, "too_large"),
        ("huge.exe", EXE + b"\x00" * MAX_BYTES, "too_large"),
        # renamed executables and other things that are not evidence
        ("scan.pdf", EXE, "type"),
        ("photo.jpg", ELF, "type"),
        ("callback.amr", SCRIPT, "type"),
        ("report.pdf", ZIP, "type"),
        ("report.pdf", HTML, "type"),
        ("report.pdf", b"just text", "type"),
        # a real format under another format's name
        ("photo.jpg", PNG, "mismatch"),
        ("scan.png", PDF, "mismatch"),
        ("scan.pdf.exe", PDF, "mismatch"),
        ("scan", PDF, "mismatch"),
        ("scan.", PDF, "mismatch"),
    ],
)
def test_refused(filename, data, code):
    with pytest.raises(EvidenceRejected) as refused:
        check_file(filename, data)
    error = refused.value
    assert error.code == code
    assert error.message_zh and error.message_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)


def test_limit_is_inclusive():
    data = PDF + b"\x00" * (MAX_BYTES - len(PDF))
    assert len(data) == MAX_BYTES == 20 * 1024 * 1024
    assert check_file("big.pdf", data).name == "pdf"


def test_mismatch_message_names_both():
    with pytest.raises(EvidenceRejected) as refused:
        check_file("photo.jpg", PNG)
    assert "PNG" in refused.value.message_en and ".jpg" in refused.value.message_en
    assert "PNG" in refused.value.message_zh


def test_short_data_is_not_a_format():
    assert sniff(b"\xff") is None
    assert sniff(b"%PD") is None
