"""一括更新 form → validated params (SPEC B1). Untouched fields are absent; bad input raises ParamError.

This is the form's shape only; whether a reason, status, company or label is one the shop offers is
checked against the database at registration (`check_choices`)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ecweb_core.jobs.operations import ParamError
from ecweb_core.masters import delivery, labels, reasons, statuses
from ecweb_core.models import PaymentMethod
from ecweb_core.models.common import JST

# Order date fields: form key -> (label, is a datetime column)
DATE_FIELDS: dict[str, tuple[str, bool]] = {
    "scheduled_ship_date": ("発送予定日", False),
    "shipped_at": ("発送完了日", True),
    "scheduled_delivery_date": ("配送予定日", False),
    "delivered_at": ("配送完了日", True),
    "paid_at": ("入金日", True),
}
MEMO_MAX = 1000


def _date(raw: str, label: str, errors: dict[str, str], key: str) -> date | None:
    raw = raw.strip().replace("/", "-")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = f"{label}は「2026-01-31」の形式で入力してください。"
        return None


MAX_ID = 2**31 - 1  # ids are 32-bit integers: a longer number names no row (and must not reach the SQL)


def _id(raw: Any) -> int | None:
    """A chosen id; one that cannot exist becomes 0 (no row has it), so the check says it does not exist."""
    text = str(raw or "").strip()
    if not (text.isdigit() and text.isascii()):
        return None
    return int(text) if len(text) <= 10 and int(text) <= MAX_ID else 0


def _choice(form: dict[str, Any], key: str, allowed: tuple[str, ...], errors: dict[str, str]) -> str:
    value = str(form.get(key) or "")
    if value not in allowed:
        errors[key] = "選択肢から選んでください。"
    return value


def _reason(form: dict[str, Any], key: str, label: str, needed: bool, errors: dict[str, str]) -> str | None:
    reason = str(form.get(key) or "").strip()
    if reason and not needed:
        errors[key] = f"{label}は対象の項目を設定した場合のみ指定できます。"
    return reason or None


def _memo(form: dict[str, Any], key: str, label: str, errors: dict[str, str]) -> str | None:
    memo = str(form.get(key) or "").strip()
    if len(memo) > MEMO_MAX:
        errors[key] = f"{label}は{MEMO_MAX}文字以内で入力してください。"
    return memo or None


def parse_bulk_update(form: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    p: dict[str, Any] = {}
    if (pm := _id(form.get("payment_method_id"))) is not None:
        p["payment_method_id"] = pm
    if (dc := _id(form.get("delivery_company_id"))) is not None:
        p["delivery_company_id"] = dc
    if (st := _id(form.get("status_id"))) is not None:
        p["status_id"] = st
    dates: dict[str, str | None] = {}
    for key, (label, _) in DATE_FIELDS.items():
        mode = _choice(form, f"{key}_mode", ("", "set", "clear"), errors)
        if mode == "set":
            value = _date(str(form.get(key) or ""), label, errors, key)
            if value:
                dates[key] = value.isoformat()
        elif mode == "clear":
            dates[key] = None
    if dates:
        p["dates"] = dates
    shipping = _choice(form, "shipping_list", ("", "exported", "unexported"), errors)
    if shipping:
        p["shipping_list"] = shipping
        raw_at = str(form.get("shipping_list_exported_at") or "").strip()
        if raw_at and shipping != "exported":
            errors["shipping_list_exported_at"] = "出荷リスト出力日は「出力済」の場合のみ指定できます。"
        elif raw_at:
            d = _date(raw_at, "出荷リスト出力日", errors, "shipping_list_exported_at")
            p["shipping_list_exported_at"] = d.isoformat() if d else None
    elif str(form.get("shipping_list_exported_at") or "").strip():
        errors["shipping_list_exported_at"] = "出荷リスト出力日は「出力済」の場合のみ指定できます。"
    attention = _choice(form, "needs_attention", ("", "yes", "no"), errors)
    reason = _reason(form, "attention_reason", "要対応理由", attention == "yes", errors)
    if attention:
        p["needs_attention"] = {"on": attention == "yes", "reason": reason}
    sub_attention = _choice(form, "sub_needs_attention", ("", "yes", "no"), errors)
    sub_reason = _reason(form, "sub_attention_reason", "要対応理由(定期)", sub_attention == "yes", errors)
    if sub_attention:
        p["sub_needs_attention"] = {"on": sub_attention == "yes", "reason": sub_reason}
    blacklist = _choice(form, "blacklist", ("", "yes", "no"), errors)
    bl_reason = _reason(form, "blacklist_reason", "ブラックリスト理由", blacklist == "yes", errors)
    if blacklist:
        p["blacklist"] = {"on": blacklist == "yes", "reason": bl_reason}
    sub_status = _choice(form, "sub_status", ("", "active", "paused", "cancelled"), errors)
    label = "停止理由" if sub_status == "paused" else "キャンセル理由"
    st_reason = _reason(form, "sub_status_reason", label, sub_status in ("paused", "cancelled"), errors)
    if sub_status:
        p["sub_status"] = {"status": sub_status, "reason": st_reason}
    ship_raw = str(form.get("next_ship_date") or "").strip()
    deliv_raw = str(form.get("next_delivery_date") or "").strip()
    sync_ship = str(form.get("sync_delivery") or "") in ("on", "true", "1")  # 次回配送予定日へ同期する
    sync_deliv = str(form.get("sync_ship") or "") in ("on", "true", "1")  # 次回発送予定日へ同期する
    if ship_raw and deliv_raw and (sync_ship or sync_deliv):
        errors["next_delivery_date"] = (
            "次回発送予定日と次回配送予定日を両方指定する場合は「同期する」を外してください。"
        )
    if ship_raw and (d := _date(ship_raw, "次回発送予定日(定期)", errors, "next_ship_date")):
        p["next_ship_date"] = {"date": d.isoformat(), "sync": sync_ship}
    if deliv_raw and (d := _date(deliv_raw, "次回配送予定日(定期)", errors, "next_delivery_date")):
        p["next_delivery_date"] = {"date": d.isoformat(), "sync": sync_deliv}
    for key, label in (
        ("order_memo", "受注メモ"),
        ("customer_memo", "顧客メモ"),
        ("subscription_memo", "定期受注メモ"),
    ):
        if memo := _memo(form, key, label, errors):
            p[key] = memo
    labels = form.get("label_ids") or []
    raw_labels = labels.split(",") if isinstance(labels, str) else labels
    label_ids = sorted({i for i in (_id(x) for x in raw_labels) if i is not None})
    if label_ids:
        p["label_ids"] = label_ids
    if errors:
        raise ParamError(errors)
    if not p:
        raise ParamError({"form": "変更する項目を1つ以上指定してください。"})
    return p


# Each chosen reason and the list it must come from: (params key, form key, its label, kind).
_REASON_CHECKS = (
    ("needs_attention", "attention_reason", "要対応理由", reasons.ATTENTION),
    ("sub_needs_attention", "sub_attention_reason", "要対応理由(定期)", reasons.SUB_ATTENTION),
    ("blacklist", "blacklist_reason", "ブラックリスト理由", reasons.BLACKLIST),
)


def check_choices(conn: Connection, p: dict[str, Any]) -> None:
    """At registration: every value chosen is one the shop offers now (設定's lists)."""
    errors: dict[str, str] = {}
    for key, form_key, label, kind in _REASON_CHECKS:
        reason = (p.get(key) or {}).get("reason")
        if reason and not reasons.check_reason(conn, kind, reason):
            errors[form_key] = f"{label}は選択肢から選んでください。"
    if (status := p.get("sub_status")) and status.get("reason"):
        kind, label = (reasons.STOP, "停止理由") if status["status"] == "paused" else (reasons.CANCEL, "キャンセル理由")
        if not reasons.check_reason(conn, kind, status["reason"]):
            errors["sub_status_reason"] = f"{label}は選択肢から選んでください。"
    if "status_id" in p and (problem := statuses.check_assignable(conn, p["status_id"])):
        errors["status_id"] = problem
    if "delivery_company_id" in p and (problem := delivery.check_assignable(conn, p["delivery_company_id"])):
        errors["delivery_company_id"] = problem
    if "payment_method_id" in p:
        pm = PaymentMethod.__table__.c
        if conn.execute(select(pm.id).where(pm.id == p["payment_method_id"])).first() is None:
            errors["payment_method_id"] = "指定された支払方法が存在しません。"
    if problem := labels.check_assignable(conn, p.get("label_ids", [])):
        errors["label_ids"] = problem
    if errors:
        raise ParamError(errors)


def to_datetime(value: str) -> datetime:
    """A date the operator typed means that day in Japan."""
    return datetime.combine(date.fromisoformat(value), time.min, tzinfo=JST)
