"""お届けサイクル: each kind across month ends and leap days, always from the previous scheduled
delivery and the cycle's own anchor, so a month-end cycle never drifts."""

from __future__ import annotations

from datetime import date

import pytest

from ecweb_core.subscriptions.cycles import DAYS, LAST, MONTH_DAY, MONTH_WEEKDAY, WEEKS, Cycle, parse_cycle


def _series(cycle: Cycle, start: date, n: int) -> list[date]:
    out = [start]
    for _ in range(n):
        out.append(cycle.next_after(out[-1]))
    return out


def test_every_n_days_and_weeks_cross_month_ends_and_leap_days() -> None:
    assert _series(Cycle(DAYS, 10), date(2028, 2, 20), 2) == [date(2028, 2, 20), date(2028, 3, 1), date(2028, 3, 11)]
    assert _series(Cycle(WEEKS, 2), date(2027, 12, 22), 2) == [date(2027, 12, 22), date(2028, 1, 5), date(2028, 1, 19)]


def test_monthly_on_the_31st_takes_each_months_last_day_without_drifting() -> None:
    series = _series(Cycle(MONTH_DAY, 1, day=31), date(2027, 12, 31), 4)
    assert series == [date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]
    assert Cycle(MONTH_DAY, 1, day=29).next_after(date(2027, 1, 29)) == date(2027, 2, 28)  # not a leap year
    assert Cycle(MONTH_DAY, 3, day=30).next_after(date(2027, 11, 30)) == date(2028, 2, 29)


def test_monthly_on_the_nth_weekday() -> None:
    second_tuesday = Cycle(MONTH_WEEKDAY, 1, week=2, weekday=1)
    assert _series(second_tuesday, date(2026, 12, 8), 2) == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)]
    last_friday = Cycle(MONTH_WEEKDAY, 2, week=LAST, weekday=4)
    assert last_friday.next_after(date(2027, 12, 31)) == date(2028, 2, 25)
    assert Cycle(MONTH_WEEKDAY, 1, week=5, weekday=0).label() == "1ヶ月ごと 最終月曜日"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"cycle_kind": "yearly", "cycle_count": "1"}, "cycle_kind"),
        ({"cycle_kind": "days", "cycle_count": "0"}, "cycle_count"),
        ({"cycle_kind": "month_day", "cycle_count": "1", "cycle_day": "32"}, "cycle_day"),
        ({"cycle_kind": "month_weekday", "cycle_count": "1", "cycle_week": "6", "cycle_weekday": "1"}, "cycle_week"),
        ({"cycle_kind": "month_weekday", "cycle_count": "1", "cycle_week": "2", "cycle_weekday": "7"}, "cycle_weekday"),
    ],
)
def test_bad_cycles_are_refused_in_japanese(form: dict[str, str], field: str) -> None:
    errors: dict[str, str] = {}
    assert parse_cycle(form, errors) is None and field in errors
