"""A command says "no" one way: the words in both languages and the exit code of the
refusal's kind."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from veracity.audit.anchors import AnchorError
from veracity.cli import main, refused
from veracity.core.refusals import EXIT_CODE, Kind
from veracity.ingest.readers import UnreadableFile


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (UnreadableFile("undecodable"), Kind.INVALID),
        (UnreadableFile("not_found", path="/tmp/x.csv"), Kind.NOT_FOUND),
        (AnchorError("missing", "/tmp/a.json"), Kind.NOT_FOUND),
    ],
    ids=lambda v: getattr(v, "key", v),
)
def test_a_refusal_becomes_a_command_error_with_its_exit_code(error, kind):
    failure = refused(error)
    assert isinstance(failure, CommandError)
    assert failure.returncode == EXIT_CODE[kind] == error.exit_code
    assert error.message_zh in str(failure) and error.message_en in str(failure)


def test_the_field_comes_first():
    assert str(refused(AnchorError("missing", "/tmp/a.json"))) == (
        "/tmp/a.json: 锚点文件不存在 / no such anchor file"
    )
    assert str(refused(UnreadableFile("undecodable"))) == (
        "无法识别文件编码（应为 UTF-8 或 GB18030） / "
        "cannot decode the file (expected UTF-8 or GB18030)"
    )


@pytest.mark.django_db
def test_an_unreadable_file_exits_with_the_invalid_code(tmp_path, capsys):
    path = tmp_path / "apps.txt"
    path.write_text("x")
    with pytest.raises(CommandError, match="unsupported file type") as refused_call:
        call_command("gate", str(path))
    assert refused_call.value.returncode == EXIT_CODE[Kind.INVALID] == 3
    with pytest.raises(SystemExit) as exited:
        main(["veracity", "gate", str(path)])
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert "不支持的文件类型 .txt，请使用 .jsonl、.csv 或 .xlsx" in err
    assert "unsupported file type .txt; use .jsonl, .csv or .xlsx" in err


@pytest.mark.django_db
def test_a_missing_file_exits_with_the_not_found_code(tmp_path):
    with pytest.raises(SystemExit) as exited:
        main(["veracity", "gate", str(tmp_path / "nope.csv")])
    assert exited.value.code == EXIT_CODE[Kind.NOT_FOUND] == 5
