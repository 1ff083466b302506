"""The zh-Hans catalogue is complete and its compiled file matches it."""

from __future__ import annotations

import subprocess
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src/veracity/locale/zh_Hans/LC_MESSAGES"


def test_every_message_is_translated_and_none_is_fuzzy():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') and "msgid" in e]
    assert not untranslated, untranslated[:3]


def test_compiled_catalogue_is_up_to_date(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(out), str(LOCALE / "django.po")], check=True)
    assert out.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run compilemessages"
