"""What a job was asked to do, in words (ジョブ管理, issue 18): 「対応状況: 発送完了、受注ラベル: 要確認」.

Read from the params the job stored at registration (a CSV format's or template's name is snapshotted
there); ids of master data are looked up by name, and one deleted since shows as 「(削除済み)」."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ecweb_core.csvexport.encoding import ENCODINGS
from ecweb_core.documents.kinds import DOC_KINDS
from ecweb_core.jobs.payment import SUB_ACTIONS
from ecweb_core.models import DeliveryCompany, Label, OrderStatus, PaymentMethod
from ecweb_core.payments.processes import PROCESSES

SEP = "、"
GONE = "(削除済み)"
ON_OFF = {True: "あり", False: "なし"}
SUB_STATUSES = {"active": "有効", "paused": "停止", "cancelled": "キャンセル"}
MEMOS = (("order_memo", "受注メモ"), ("customer_memo", "顧客メモ"), ("subscription_memo", "定期受注メモ"))
DATES = {
    "scheduled_ship_date": "発送予定日",
    "scheduled_delivery_date": "配送予定日",
    "shipped_at": "発送完了日",
    "delivered_at": "配送完了日",
}


def _name(conn: Connection, model: Any, id_: Any) -> str:
    t = model.__table__.c
    name = conn.execute(select(t.name).where(t.id == int(id_))).scalar_one_or_none()
    return name if name is not None else GONE


def _short(text: str, n: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _bulk_update(conn: Connection, p: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "status_id" in p:
        out.append(f"対応状況: {_name(conn, OrderStatus, p['status_id'])}")
    if "payment_method_id" in p:
        out.append(f"支払方法: {_name(conn, PaymentMethod, p['payment_method_id'])}")
    if "delivery_company_id" in p:
        out.append(f"配送業者: {_name(conn, DeliveryCompany, p['delivery_company_id'])}")
    for key, value in (p.get("dates") or {}).items():
        out.append(f"{DATES.get(key, key)}: {value.replace('-', '/') if value else 'クリア'}")
    if "shipping_list" in p:
        out.append(f"出荷リスト: {'出力済' if p['shipping_list'] == 'exported' else '未出力'}")
    for key, label in (("needs_attention", "要対応"), ("sub_needs_attention", "要対応(定期)"),
                       ("blacklist", "ブラックリスト")):  # fmt: skip
        if key in p:
            reason = p[key].get("reason")
            out.append(f"{label}: {ON_OFF[bool(p[key]['on'])]}" + (f"({reason})" if reason else ""))
    if "sub_status" in p:
        s = p["sub_status"]
        out.append(
            f"定期ステータス: {SUB_STATUSES.get(s['status'], s['status'])}"
            + (f"({s['reason']})" if s.get("reason") else "")
        )
    for key, label in (("next_ship_date", "次回発送予定日"), ("next_delivery_date", "次回配送予定日")):
        if key in p:
            out.append(f"{label}: {p[key]['date'].replace('-', '/')}")
    for key, label in MEMOS:
        if p.get(key):
            out.append(f"{label}: 「{_short(str(p[key]))}」")
    if p.get("label_ids"):
        out.append("受注ラベル: " + "・".join(_name(conn, Label, i) for i in p["label_ids"]))
    return out


def _csv(p: dict[str, Any]) -> list[str]:
    out = [
        f"フォーマット: {p.get('format_name', '')}",
        f"文字コード: {ENCODINGS.get(p.get('encoding', ''), p.get('encoding', ''))}",
    ]
    if p.get("shipping_list"):
        out.append("出荷リスト出力済にする")
    return out


def _pdf(p: dict[str, Any]) -> list[str]:
    doc = p.get("document") or {}
    out = [f"帳票: {doc.get('name', '')}", f"種類: {DOC_KINDS.get(doc.get('kind', ''), doc.get('kind', ''))}"]
    if p.get("issue_date"):
        out.append(f"発行日: {p['issue_date'].replace('-', '/')}")
    return out


def _mail(p: dict[str, Any]) -> list[str]:
    if p.get("mode") == "template":
        return [f"メールテンプレート: {p.get('template_name', '')}", f"件名: {_short(p.get('subject', ''), 30)}"]
    return [f"件名: {_short(p.get('subject', ''), 30)}(直接入力)"]


def _dunning(p: dict[str, Any]) -> list[str]:
    out = [f"支払期限: {p['due_date'].replace('-', '/')}" if p.get("due_date") else "支払期限: 指定なし"]
    if p.get("memo"):
        out.append(f"メモ: 「{_short(p['memo'])}」")
    return out


def _payment(p: dict[str, Any]) -> list[str]:
    out = [f"処理: {PROCESSES.get(p.get('process', ''), p.get('process', ''))}"]
    action = p.get("sub_action") or "none"
    if action != "none":
        out.append(SUB_ACTIONS.get(action, action) + (f"({p['sub_reason']})" if p.get("sub_reason") else ""))
    return out


def describe_params(conn: Connection, kind: str, params: dict[str, Any]) -> str:
    """The job's parameters as one line of Japanese; "" for a kind without any."""
    if kind == "bulk_update":
        parts = _bulk_update(conn, params)
    elif kind in ("csv_export", "survey_csv"):
        parts = _csv(params)
    elif kind == "pdf_export":
        parts = _pdf(params)
    elif kind == "mail":
        parts = _mail(params)
    elif kind == "dunning":
        parts = _dunning(params)
    elif kind == "payment":
        parts = _payment(params)
    else:
        parts = []
    return SEP.join(parts)
