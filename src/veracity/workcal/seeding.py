"""Seeding the calendar table from the chinese-calendar package.

Takes the model classes as arguments so the data migration can pass its historical models
and the ``workdays seed`` service the real ones: one code path. Idempotent: rows entered by
staff (``source = manual``) are never overwritten; library rows the library no longer lists
are removed; every year the library knows is marked complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

HOLIDAY = "holiday"
ADJUSTED_WORKDAY = "adjusted_workday"
SOURCE = "chinese_calendar"


# Days chinese-calendar gets wrong, each with the State Council notice that says otherwise.
# Found by the cross-check against the `holidays` package (tests/workcal/test_calendar.py).
CORRECTIONS: dict[date, tuple[str, str]] = {
    # 国办发明电〔2005〕35号: 2006 元旦 1 月 1—3 日放假, "12月31日（星期六）上班".
    date(2005, 12, 31): (ADJUSTED_WORKDAY, "元旦"),
}


@dataclass(frozen=True, slots=True)
class SeedReport:
    years: tuple[int, ...]
    created: int
    updated: int
    deleted: int
    kept_manual: int

    def summary(self) -> dict[str, Any]:
        return {
            "years": f"{self.years[0]}-{self.years[-1]}" if self.years else "",
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "kept_manual": self.kept_manual,
        }


def library_days() -> dict[date, tuple[str, str]]:
    """Every date chinese-calendar departs from Monday–Friday on: date → (kind, 中文名),
    with :data:`CORRECTIONS` applied."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    chinese = {h.value: h.chinese for h in Holiday}
    days: dict[date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        days[day] = (HOLIDAY, chinese.get(name, name))
    for day, name in chinese_calendar.workdays.items():
        # The library lists every weekday as a workday; only weekend ones are 调休.
        if day.weekday() >= 5:
            days[day] = (ADJUSTED_WORKDAY, chinese.get(name, name))
    days.update(CORRECTIONS)
    return days


def seed_from_chinese_calendar(day_model: Any, year_model: Any) -> SeedReport:
    days = library_days()
    years = tuple(sorted({d.year for d in days}))
    if not years:
        return SeedReport((), 0, 0, 0, 0)
    existing = {
        row.date: row
        for row in day_model.objects.filter(
            date__gte=date(years[0], 1, 1), date__lte=date(years[-1], 12, 31)
        )
    }
    new, created, updated, kept_manual = [], 0, 0, 0
    for day, (kind, name) in sorted(days.items()):
        row = existing.get(day)
        if row is None:
            new.append(day_model(date=day, kind=kind, name=name, source=SOURCE))
        elif row.source != SOURCE:
            kept_manual += 1
        elif (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            row.save(update_fields=["kind", "name", "updated_at"])
            updated += 1
    day_model.objects.bulk_create(new, batch_size=500)
    created = len(new)
    stale = [d for d, row in existing.items() if row.source == SOURCE and d not in days]
    deleted = day_model.objects.filter(date__in=stale).delete()[0] if stale else 0
    for year in years:
        row, made = year_model.objects.get_or_create(
            year=year, defaults={"complete": True, "source": SOURCE}
        )
        if not made and not row.complete:
            row.complete, row.source = True, SOURCE
            row.save(update_fields=["complete", "source", "updated_at"])
    return SeedReport(years, created, updated, deleted, kept_manual)


def unseed(day_model: Any, year_model: Any) -> None:
    """Reverse of the seed: drop what came from the library, keep staff entries."""
    day_model.objects.filter(source=SOURCE).delete()
    year_model.objects.filter(source=SOURCE).delete()
