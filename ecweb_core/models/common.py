from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Operators think in Japan time: dates they type and times they read are JST; storage is UTC.
JST = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    return datetime.now(UTC)


def jst_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=JST)


def fmt_jst(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    local = value.astimezone(JST)
    return local.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")


def today_jst() -> date:
    return datetime.now(JST).date()
