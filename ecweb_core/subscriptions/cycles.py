"""A subscription's delivery cycle (お届けサイクル) and the next delivery date it gives.

The next date always follows from the previous *scheduled* date and the cycle's own anchor (the
day of the month, the n-th weekday), never from "now" or from a date already clamped: a 31st cycle
goes Jan 31 → Feb 28 (29) → Mar 31, not drifting to the 28th."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

DAYS, WEEKS, MONTH_DAY, MONTH_WEEKDAY = "days", "weeks", "month_day", "month_weekday"
KINDS: dict[str, str] = {
    DAYS: "日ごと",
    WEEKS: "週ごと",
    MONTH_DAY: "ヶ月ごと(日付指定)",
    MONTH_WEEKDAY: "ヶ月ごと(曜日指定)",
}
WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"]
LAST = 5  # the n-th weekday: 5 means the last one of the month
MAX_COUNT = 12


@dataclass(frozen=True)
class Cycle:
    kind: str
    count: int = 1  # every N days / weeks / months
    day: int | None = None  # MONTH_DAY: 1..31 (a short month takes its last day)
    week: int | None = None  # MONTH_WEEKDAY: 1..4, or LAST
    weekday: int | None = None  # MONTH_WEEKDAY: 0 (月) .. 6 (日)

    def label(self) -> str:
        if self.kind == DAYS:
            return f"{self.count}日ごと"
        if self.kind == WEEKS:
            return f"{self.count}週ごと"
        if self.kind == MONTH_DAY:
            day = "末日" if (self.day or 0) >= 31 else f"{self.day}日"
            return f"{self.count}ヶ月ごと {day}"
        week = "最終" if self.week == LAST else f"第{self.week}"
        return f"{self.count}ヶ月ごと {week}{WEEKDAYS[self.weekday or 0]}曜日"

    def next_after(self, scheduled: date) -> date:
        """The delivery after the one scheduled on `scheduled`."""
        if self.kind == DAYS:
            return scheduled + timedelta(days=self.count)
        if self.kind == WEEKS:
            return scheduled + timedelta(weeks=self.count)
        year, month = _add_months(scheduled.year, scheduled.month, self.count)
        if self.kind == MONTH_DAY:
            return date(year, month, min(self.day or scheduled.day, calendar.monthrange(year, month)[1]))
        if self.kind == MONTH_WEEKDAY:
            return nth_weekday(year, month, self.week or 1, self.weekday or 0)
        raise ValueError(f"unknown cycle {self.kind!r}")


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def nth_weekday(year: int, month: int, week: int, weekday: int) -> date:
    """The `week`-th `weekday` of the month (LAST: the last one)."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, days[-1] if week == LAST or week > len(days) else days[week - 1])


def parse_cycle(form: dict[str, object], errors: dict[str, str]) -> Cycle | None:
    """The cycle of a 基本設定 form, or None with Japanese errors."""
    kind = str(form.get("cycle_kind") or "")
    if kind not in KINDS:
        errors["cycle_kind"] = "お届けサイクルを選択してください。"
        return None
    count = _int(form.get("cycle_count"))
    if count is None or not 1 <= count <= MAX_COUNT:
        errors["cycle_count"] = f"サイクルの間隔は1〜{MAX_COUNT}の整数で入力してください。"
        return None
    if kind == MONTH_DAY:
        day = _int(form.get("cycle_day"))
        if day is None or not 1 <= day <= 31:
            errors["cycle_day"] = "お届け日は1〜31の日付で入力してください(31は末日)。"
            return None
        return Cycle(kind, count, day=day)
    if kind == MONTH_WEEKDAY:
        week, weekday = _int(form.get("cycle_week")), _int(form.get("cycle_weekday"))
        if week is None or not 1 <= week <= LAST:
            errors["cycle_week"] = "第何週かを選択してください。"
            return None
        if weekday is None or not 0 <= weekday <= 6:
            errors["cycle_weekday"] = "曜日を選択してください。"
            return None
        return Cycle(kind, count, week=week, weekday=weekday)
    return Cycle(kind, count)


def _int(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None
