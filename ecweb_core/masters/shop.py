"""The shop-wide settings row (shop_settings, id 1): 最短お届け日の指定 (配送/送料設定),
自動受注作成日の指定 and the 定期受注 engine's daily run time (受注/定期受注設定), and the reasons the
system writes when it sets 要対応 / 停止 / キャンセル by itself (a 自動化設定 rule, the 定期受注 engine)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from ecweb_core import permissions
from ecweb_core.masters import lists, reasons
from ecweb_core.models import Reason, ShopSettings

SETTINGS = ShopSettings.__table__
# What the system writes when no reason is chosen in 受注/定期受注設定.
SYSTEM_REASON = "自動化設定"
MIN_DELIVERY_DAYS_MAX = 30
AUTO_ORDER_DAYS_MAX = 60
# The reasons the system writes, per kind: (setting column, the form's key, its label).
AUTO_REASONS: dict[str, tuple[str, str]] = {
    reasons.ATTENTION: ("auto_attention_reason_id", "要対応にするときの要対応理由"),
    reasons.SUB_ATTENTION: ("auto_sub_attention_reason_id", "定期受注を要対応にするときの要対応理由(定期)"),
    reasons.STOP: ("auto_stop_reason_id", "定期受注を停止にするときの停止理由"),
    reasons.CANCEL: ("auto_cancel_reason_id", "定期受注をキャンセルにするときのキャンセル理由"),
}


@dataclass
class ShopConfig:
    min_delivery_days: int = 2
    auto_order_days_before: int = 7
    subscription_run_time: str = "04:00"
    # kind -> the reason id the system writes (None: SYSTEM_REASON)
    auto_reason_ids: dict[str, int | None] | None = None


def shop_config(conn: Connection) -> ShopConfig:
    row = conn.execute(select(SETTINGS).where(SETTINGS.c.id == 1)).first()
    if row is None:
        return ShopConfig(auto_reason_ids=dict.fromkeys(AUTO_REASONS))
    return ShopConfig(
        min_delivery_days=row.min_delivery_days,
        auto_order_days_before=row.auto_order_days_before,
        subscription_run_time=row.subscription_run_time,
        auto_reason_ids={kind: getattr(row, column) for kind, (column, _) in AUTO_REASONS.items()},
    )


def min_delivery_days(conn: Connection) -> int:
    """最短お届け日の指定: days from shipping to the earliest delivery (一括更新's 「同期する」)."""
    return shop_config(conn).min_delivery_days


def auto_reason(conn: Connection, kind: str) -> str:
    """The reason text the system writes for `kind` (受注/定期受注設定), or 「自動化設定」."""
    column, _ = AUTO_REASONS[kind]
    name = conn.execute(
        select(Reason.__table__.c.name)
        .select_from(SETTINGS.join(Reason.__table__, Reason.__table__.c.id == SETTINGS.c[column]))
        .where(SETTINGS.c.id == 1)
    ).scalar_one_or_none()
    return str(name) if name else SYSTEM_REASON


@permissions.setting_change(permissions.SETTINGS_MASTERS, "配送/送料設定", "お届け日設定を保存")
def save_delivery_dates(conn: Connection, form: dict[str, Any]) -> None:
    """配送/送料設定(発送・お届け日に関する設定)."""
    errors: dict[str, str] = {}
    days = lists.parse_int(
        form.get("min_delivery_days"), "最短お届け日の指定", errors, "min_delivery_days", 0, MIN_DELIVERY_DAYS_MAX, "日"
    )
    lists.raise_if(errors)
    _save(conn, {"min_delivery_days": days})


@permissions.setting_change(permissions.SETTINGS_MASTERS, "受注/定期受注設定", "保存")
def save_order_settings(conn: Connection, form: dict[str, Any]) -> None:
    """受注/定期受注の設定: all fields checked, then saved together."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "auto_order_days_before": lists.parse_int(
            form.get("auto_order_days_before"),
            "自動受注作成日の指定",
            errors,
            "auto_order_days_before",
            0,
            AUTO_ORDER_DAYS_MAX,
            "日",
        ),
        "subscription_run_time": _run_time(form.get("subscription_run_time"), errors),
    }
    for kind, (column, label) in AUTO_REASONS.items():
        raw = str(form.get(column) or "").strip()
        if not raw:
            values[column] = None
            continue
        r = Reason.__table__.c
        ok = (
            raw.isdigit()
            and conn.execute(select(r.id).where(r.id == int(raw), r.kind == kind, r.enabled.is_(True))).first()
        )
        if not ok:
            errors[column] = f"{label}は選択肢から選んでください。"
        else:
            values[column] = int(raw)
    lists.raise_if(errors)
    _save(conn, values)


def _run_time(raw: Any, errors: dict[str, str]) -> str:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().replace("：", ":")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        errors["subscription_run_time"] = "定期受注の自動作成時刻は「04:00」の形式(00:00〜23:59)で入力してください。"
        return "04:00"
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _save(conn: Connection, values: dict[str, Any]) -> None:
    if conn.execute(select(SETTINGS.c.id).where(SETTINGS.c.id == 1)).first() is None:
        conn.execute(insert(SETTINGS).values(id=1))
    conn.execute(update(SETTINGS).where(SETTINGS.c.id == 1).values(**values))
