"""The calendar table (veracity.workcal): seeded from chinese-calendar, read back as the core
Calendar, editable by import; and the ``veracity workdays`` command."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import holidays
import pytest
from django.core.management import CommandError, call_command

from veracity.audit.models import AuditEvent
from veracity.cli import main as veracity_main
from veracity.workcal import selectors
from veracity.workcal.models import CalendarDay, CalendarYear, Source

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.fixture(autouse=True)
def seeded(db):
    """The data migration seeds a fresh database; a transactional test elsewhere may have
    flushed it, so seed again (idempotent)."""
    call_command("workdays", "seed", stdout=StringIO())


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_seed_covers_2004_to_2026_and_is_idempotent():
    assert list(CalendarYear.objects.filter(complete=True).values_list("year", flat=True)) == list(
        range(2004, 2027)
    )
    day = CalendarDay.objects.get(date=D("2026-10-10"))
    assert (day.kind, day.name, day.source) == ("adjusted_workday", "国庆节", "chinese_calendar")
    before = CalendarDay.objects.count()
    out, _ = run("seed")
    assert json.loads(out) == {
        "years": "2004-2026",
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "kept_manual": 0,
    }
    assert CalendarDay.objects.count() == before


def test_seed_never_overwrites_a_staff_correction():
    CalendarDay.objects.filter(date=D("2026-10-07")).update(
        name="国庆节（更正）", source=Source.MANUAL
    )
    out, _ = run("seed")
    assert json.loads(out)["kept_manual"] == 1
    assert CalendarDay.objects.get(date=D("2026-10-07")).name == "国庆节（更正）"


def test_seed_restores_a_deleted_library_row():
    CalendarDay.objects.filter(date=D("2026-10-10")).delete()
    out, _ = run("seed")
    assert json.loads(out)["created"] == 1


@pytest.mark.parametrize(
    ("args", "stdout"),
    [
        (("add", "2026-09-30", "3"), "2026-10-10"),
        (("add", "2026-09-30", "0"), "2026-09-30"),
        (("add", "2026-02-13", "1"), "2026-02-14"),
        (("next", "2026-09-30"), "2026-10-08"),
        (("between", "2026-09-30", "2026-10-10"), "3"),
        (("add", "2026-12-31", "1"), "2027-01-01 provisional"),
        (("add", "2027-03-01", "3"), "2027-03-04 provisional"),
        (("between", "2026-12-31", "2027-01-08"), "6 provisional"),
    ],
)
def test_workdays_command(args, stdout):
    out, err = run(*args)
    assert out == stdout + "\n"
    assert ("provisional" in err) is stdout.endswith("provisional")


def test_veracity_console_entry_point(capsys, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "veracity.config.settings.test")
    # A management command closes every connection when it ends; the test's must stay open.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    veracity_main(["veracity", "workdays", "add", "2026-09-30", "3"])
    assert capsys.readouterr().out == "2026-10-10\n"
    veracity_main(["veracity", "workdays", "add", "2027-06-01", "2"])
    captured = capsys.readouterr()
    assert captured.out.endswith(" provisional\n")
    assert "2027" in captured.err


@pytest.mark.parametrize(
    "args",
    [("add", "2026-13-01", "1"), ("add", "2026-09-30", "-1"), ("add", "2026-09-30", "x")],
)
def test_workdays_command_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        run(*args)


def test_import_2027_keeps_good_rows_reports_bad_ones(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2027-13-01,holiday,元旦\n"  # line 3: no such month
        "2027-02-06,holiday,春节\n"
        "2027-02-08,adjusted_workday,春节\n"  # line 5: a Monday cannot be a make-up day
        "2027-02-20,补班,春节\n"
        "2027-02-21,vacation,春节\n"  # line 7: unknown kind
        "2027-01-01,holiday,元旦\n",  # line 8: repeats line 2
        encoding="utf-8",
    )
    audit_before = AuditEvent.objects.count()
    out, _ = run("import", str(path))
    lines = out.splitlines()
    assert json.loads(lines[0])["created"] == 3
    assert json.loads(lines[0])["rejected"] == 4
    assert lines[1].startswith("line 3: date: bad date '2027-13-01'")
    assert lines[2].startswith("line 5: kind: 2027-02-08 is a weekday")
    assert lines[3].startswith("line 7: kind: bad kind 'vacation'")
    assert lines[4].startswith("line 8: date: 2027-01-01 repeats line 2")
    assert dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind")) == {
        D("2027-01-01"): "holiday",
        D("2027-02-06"): "holiday",
        D("2027-02-20"): "adjusted_workday",
    }
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True)) == {
        "manual"
    }
    assert AuditEvent.objects.count() == audit_before + 1
    # Still provisional: nobody said the 2027 table is complete.
    assert run("add", "2026-12-31", "1")[0] == "2027-01-04 provisional\n"


def test_import_with_complete_year_makes_2027_deadlines_final(tmp_path):
    path = tmp_path / "2027.jsonl"
    rows = [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-06", "kind": "holiday", "name": "春节"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert run("add", "2026-12-31", "1")[0] == "2027-01-01 provisional\n"
    out, _ = run("import", str(path), "--complete-year", "2027")
    assert json.loads(out.splitlines()[0])["completed_years"] == [2027]
    assert CalendarYear.objects.get(year=2027).complete
    assert run("add", "2026-12-31", "1")[0] == "2027-01-04\n"
    assert run("add", "2027-12-31", "1")[0] == "2028-01-03 provisional\n"


def test_a_bad_row_keeps_its_year_from_being_marked_complete(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("2027-01-01,holiday,元旦\n2027-01-04,adjusted_workday,元旦\n")
    out, _ = run("import", str(path), "--complete-year", "2027")
    assert "line 2: kind:" in out
    assert "file: complete_year: 2027 not marked complete" in out
    assert not CalendarYear.objects.filter(year=2027, complete=True).exists()
    assert CalendarDay.objects.filter(date=D("2027-01-01")).exists()


def test_import_of_an_unreadable_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="unsupported file type"):
        run("import", str(tmp_path / "days.txt"))
    with pytest.raises(CommandError, match="file not found"):
        run("import", str(tmp_path / "days.csv"))


def test_selector_sees_a_change_made_after_it_cached():
    cal = selectors.calendar()
    assert selectors.calendar() is cal  # cached while nothing changed
    assert cal.add_working_days(D("2026-06-10"), 1).date == D("2026-06-11")
    CalendarDay.objects.create(date=D("2026-06-11"), kind="holiday", name="演练", source="manual")
    assert selectors.calendar().add_working_days(D("2026-06-10"), 1).date == D("2026-06-12")
    CalendarYear.objects.filter(year=2026).delete()
    assert selectors.calendar().add_working_days(D("2026-06-10"), 1).provisional


def test_the_seeded_table_agrees_with_the_holidays_package_2004_2026():
    """The table a fresh database gets, read back through the selector: every public holiday
    `holidays.China` lists is a day off, and the weekend working days (调休) are the same set."""
    cal = selectors.calendar()
    theirs = holidays.China(years=range(2004, 2027))
    assert [d for d in theirs if cal.is_working_day(d).working] == []
    weekend_work = {d for d in theirs.weekend_workdays if 2004 <= d.year <= 2026}
    day, ours = date(2004, 1, 1), set()
    while day.year <= 2026:
        if day.weekday() >= 5 and cal.is_working_day(day).working:
            ours.add(day)
        day += timedelta(days=1)
    assert sorted(weekend_work ^ ours) == []


def test_admin_edit_is_a_manual_entry(admin_client):
    response = admin_client.post(
        "/admin/workcal/calendarday/add/",
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
    )
    assert response.status_code == 302, response.content[:500]
    assert CalendarDay.objects.get(date=D("2027-10-01")).source == "manual"
    response = admin_client.post(
        "/admin/workcal/calendarday/add/",
        {"date": "2027-10-11", "kind": "adjusted_workday", "name": "国庆节"},
    )
    assert response.status_code == 200  # refused: 2027-10-11 is a Monday
    assert not CalendarDay.objects.filter(date=D("2027-10-11")).exists()
