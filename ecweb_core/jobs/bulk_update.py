"""一括更新 (SPEC B1): one chunk of orders updated with a handful of set-based statements.

Per chunk: one SELECT of the few columns the rules need, then per field group one INSERT … SELECT
(events, memos, labels) or one UPDATE … WHERE id IN (chunk). Events are written before the
UPDATE, from the old values, in the same transaction (the outbox the automation drains).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, String, and_, exists, func, insert, literal, not_, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from ecweb_core import events
from ecweb_core.fees import recompute_fees
from ecweb_core.jobs.bulk_update_params import DATE_FIELDS, check_choices, parse_bulk_update, to_datetime
from ecweb_core.jobs.operations import BaseOperation, JobContext
from ecweb_core.masters.shop import min_delivery_days
from ecweb_core.models import (
    Customer,
    CustomerMemo,
    DeliveryCompany,
    Label,
    Order,
    OrderLabel,
    OrderMemo,
    OrderStatus,
    PaymentMethod,
    Subscription,
    SubscriptionMemo,
)
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.selection import Selection
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import CANCELLED, RETURNED
from ecweb_core.subscriptions.changes import SubscriptionEvents

ORDERS = Order.__table__
CAPTURED_REFUSED = "売上完了の受注は支払方法・配送業者を変更できません。"
NP_SWITCH_REFUSED = "NP後払い ⇄ NP後払いwiz の切り替えは、NP後払いの取引がキャンセルされている受注のみ行えます。"
NOT_FOUND = "受注が見つかりません。"
NO_SUBSCRIPTION = "定期受注に紐づかない受注のため、定期受注の項目は変更していません。"
NP_CODES = ("np", "np_wiz")
NOT_CANCELLED = "決済が取り消されていません。「決済状況一括変更:取消処理」で決済を取り消してください。"
# 決済状況 that still hold money or an authorization: キャンセル / 返品 needs their 取消処理.
PAYMENT_TO_CANCEL = ("authorized", "auth_requested", "credit_review", "captured")
SUBSCRIPTION_KEYS = ("sub_needs_attention", "sub_status", "next_ship_date", "next_delivery_date", "subscription_memo")


class BulkUpdate(BaseOperation):
    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        return parse_bulk_update(form)

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        check_choices(session.connection(), params)
        return params

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        p = ctx.params
        refs = _check_references(conn, p)
        if refs:
            return {i: ("failed", refs) for i in order_ids}
        rows = conn.execute(
            select(
                ORDERS.c.id,
                ORDERS.c.payment_status,
                ORDERS.c.payment_method_id,
                ORDERS.c.np_transaction_cancelled,
                ORDERS.c.subscription_id,
            ).where(in_ids(conn, ORDERS.c.id, order_ids))
        ).all()
        outcomes: dict[int, Outcome] = {i: ("failed", NOT_FOUND) for i in order_ids}
        codes = dict(conn.execute(select(PaymentMethod.id, PaymentMethod.code)).all())
        new_code = codes.get(p.get("payment_method_id"))
        ok: list[int] = []
        for oid, pay_status, method_id, np_cancelled, sub_id in rows:
            outcomes[oid] = order_outcome(
                p, pay_status, codes.get(method_id), new_code, np_cancelled, sub_id is not None
            )
            if outcomes[oid][0] == "ok":
                ok.append(oid)
        if p.get("status_id") in (CANCELLED, RETURNED):  # the seed's caution: the payment stays as it was
            pay = {oid: pay_status for oid, pay_status, *_ in rows}
            for oid in ok:
                if pay[oid] in PAYMENT_TO_CANCEL:
                    outcomes[oid] = (outcomes[oid][0], " ".join(filter(None, [outcomes[oid][1], NOT_CANCELLED])))
        if ok:
            _apply(conn, ctx, ok)
        return outcomes


def order_outcome(
    p: dict[str, Any], pay_status: str, method_code: str | None, new_code: str | None, np_cancelled: bool, has_sub: bool
) -> Outcome:
    """The rules an order is refused (or skipped) by: the job applies them per order, the dialog's
    preview per group of alike orders (preview_refusals)."""
    if ("payment_method_id" in p or "delivery_company_id" in p) and pay_status == "captured":
        return ("failed", CAPTURED_REFUSED)
    if new_code in NP_CODES and method_code in NP_CODES and method_code != new_code and not np_cancelled:
        return ("failed", NP_SWITCH_REFUSED)
    if not has_sub and any(k in p for k in SUBSCRIPTION_KEYS):
        return ("skipped", NO_SUBSCRIPTION) if all(k in SUBSCRIPTION_KEYS for k in p) else ("ok", NO_SUBSCRIPTION)
    return ("ok", None)


def preview_refusals(conn: Connection, p: dict[str, Any], ids: Any) -> list[tuple[str, str, int]]:
    """What the job would refuse or skip among the orders `ids` selects, before anything runs:
    (失敗 | スキップ, reason, count). One GROUP BY over the few columns the rules read, then
    order_outcome per group, so 「検索結果すべて」 never passes through Python."""
    o = ORDERS.c
    has_sub = o.subscription_id.is_not(None)
    groups = conn.execute(
        select(o.payment_status, o.payment_method_id, o.np_transaction_cancelled, has_sub, func.count())
        .where(o.id.in_(ids))
        .group_by(o.payment_status, o.payment_method_id, o.np_transaction_cancelled, has_sub)
    ).all()
    codes = dict(conn.execute(select(PaymentMethod.id, PaymentMethod.code)).all())
    new_code = codes.get(p.get("payment_method_id"))
    found: dict[tuple[str, str], int] = {}
    for pay_status, method_id, np_cancelled, sub, n in groups:
        outcome, message = order_outcome(p, pay_status, codes.get(method_id), new_code, bool(np_cancelled), bool(sub))
        if outcome != "ok" and message:
            found[(outcome, message)] = found.get((outcome, message), 0) + int(n)
    labels = {"failed": "失敗", "skipped": "スキップ"}
    return [(labels[k[0]], k[1], n) for k, n in sorted(found.items(), key=lambda kv: -kv[1])]


def _check_references(conn: Connection, p: dict[str, Any]) -> str | None:
    checks = [
        ("payment_method_id", PaymentMethod, "指定された支払方法が存在しません。"),
        ("delivery_company_id", DeliveryCompany, "指定された配送業者が存在しません。"),
        ("status_id", OrderStatus, "指定された対応状況が存在しません。"),
    ]
    for key, model, message in checks:
        if key in p and conn.execute(select(model.id).where(model.id == p[key])).first() is None:
            return message
    if p.get("label_ids"):
        found = conn.execute(select(func.count()).where(Label.id.in_(p["label_ids"]))).scalar_one()
        if found != len(p["label_ids"]):
            return "指定された受注ラベルが存在しません。"
    return None


def _apply(conn: Connection, ctx: JobContext, ok: list[int]) -> None:
    p, now = ctx.params, utcnow()
    in_chunk = in_ids(conn, ORDERS.c.id, ok)
    _write_events(conn, ctx, ok, now)
    values = _order_values(p, now)
    if "payment_method_id" in p or "delivery_company_id" in p:
        # The seed: a new 支払方法 / 配送業者 brings its fee (a product's own fee wins), from 設定's
        # fee rules — in the same UPDATE as the other values (one row version per order).
        recompute_fees(
            conn,
            in_chunk,
            payment="payment_method_id" in p,
            shipping="delivery_company_id" in p,
            method_id=p.get("payment_method_id"),
            company_id=p.get("delivery_company_id"),
            values=values,
        )
    else:
        conn.execute(update(ORDERS).where(in_chunk).values(**values))
    if memo := p.get("order_memo"):
        _insert_memos(conn, OrderMemo, "order_id", select(ORDERS.c.id).where(in_chunk), memo, ctx, now)
    for label_id in p.get("label_ids", []):
        ol = OrderLabel.__table__
        have = exists().where(ol.c.order_id == ORDERS.c.id, ol.c.label_id == label_id)
        conn.execute(
            insert(ol).from_select(
                ["order_id", "label_id"], select(ORDERS.c.id, literal(label_id, Integer)).where(in_chunk, not_(have))
            )
        )
    customers = select(ORDERS.c.customer_id).where(in_chunk).distinct()
    if bl := p.get("blacklist"):
        conn.execute(
            update(Customer)
            .where(Customer.id.in_(customers))
            .values(blacklisted=bl["on"], blacklist_reason=bl["reason"] if bl["on"] else None)
        )
    if memo := p.get("customer_memo"):
        _insert_memos(conn, CustomerMemo, "customer_id", customers, memo, ctx, now)
    _apply_subscriptions(conn, ctx, in_chunk, now)


def _order_values(p: dict[str, Any], now: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"updated_at": now}
    for key in ("payment_method_id", "delivery_company_id", "status_id"):
        if key in p:
            values[key] = p[key]
    for key, value in p.get("dates", {}).items():
        is_datetime = DATE_FIELDS[key][1]
        values[key] = None if value is None else (to_datetime(value) if is_datetime else date.fromisoformat(value))
    if shipping := p.get("shipping_list"):
        exported = shipping == "exported"
        at = p.get("shipping_list_exported_at")
        values["shipping_list_exported"] = exported
        values["shipping_list_exported_at"] = (to_datetime(at) if at else now) if exported else None
    if attention := p.get("needs_attention"):
        values["needs_attention"] = attention["on"]
        values["attention_reason"] = attention["reason"] if attention["on"] else None
    return values


def _write_events(conn: Connection, ctx: JobContext, ok: list[int], now: Any) -> None:
    """All of the chunk's events in one INSERT … SELECT, from the values before the change."""
    p = ctx.params
    in_chunk = in_ids(conn, ORDERS.c.id, ok)
    batch = events.EventBatch(events.job_source(ctx.job_id), ctx.operator_id, now)
    if "status_id" in p:
        name = conn.execute(select(OrderStatus.name).where(OrderStatus.id == p["status_id"])).scalar_one()
        batch.add(events.STATUS_CHANGED, name, and_(in_chunk, ORDERS.c.status_id != p["status_id"]))
    if "payment_method_id" in p:
        name = conn.execute(select(PaymentMethod.name).where(PaymentMethod.id == p["payment_method_id"])).scalar_one()
        batch.add(
            events.PAYMENT_METHOD_CHANGED, name, and_(in_chunk, ORDERS.c.payment_method_id != p["payment_method_id"])
        )
    dates = p.get("dates", {})
    for key, kind in (("shipped_at", events.SHIPPED_AT_SET), ("delivered_at", events.DELIVERED_AT_SET)):
        if dates.get(key):
            new = to_datetime(dates[key])
            batch.add(kind, dates[key], and_(in_chunk, or_(ORDERS.c[key].is_(None), ORDERS.c[key] != new)))
    if dates.get("shipped_at"):
        batch.add(events.FIRST_SHIPMENT, dates["shipped_at"], events.first_shipment(in_chunk))
    if p.get("shipping_list") == "exported":
        batch.add(events.SHIPPING_LIST_EXPORTED, "出力済", and_(in_chunk, ORDERS.c.shipping_list_exported.is_(False)))
    _subscription_events(conn, batch, p, ok)
    batch.write(conn)


def _subscription_events(conn: Connection, batch: events.EventBatch, p: dict[str, Any], ok: list[int]) -> None:
    sub = SubscriptionEvents(conn, batch, ok)
    if status := p.get("sub_status"):
        sub.status(status["status"], status.get("reason"))
    if attention := p.get("sub_needs_attention"):
        sub.attention(attention["on"], attention.get("reason") if attention["on"] else None)
    sub.dates(_next_dates(conn, p))


def _insert_memos(conn: Connection, model: Any, key: str, ids: Any, body: str, ctx: JobContext, now: Any) -> None:
    """One memo per customer / subscription / order and job, even when its orders fall in several
    chunks: every memo of a job carries the job's registration time, and a second one is not written."""
    t = model.__table__
    source = ids.subquery()
    stamp = literal(ctx.created_at or now, t.c.created_at.type)
    written = exists().where(
        t.c[key] == source.c[0], t.c.body == body, t.c.operator_id == ctx.operator_id, t.c.created_at == stamp
    )
    conn.execute(
        insert(t).from_select(
            [key, "body", "operator_id", "created_at"],
            select(source.c[0], literal(body, String), literal(ctx.operator_id, Integer), stamp).where(not_(written)),
        )
    )


def _apply_subscriptions(conn: Connection, ctx: JobContext, in_chunk: ColumnElement[bool], now: Any) -> None:
    p = ctx.params
    subs = select(ORDERS.c.subscription_id).where(in_chunk, ORDERS.c.subscription_id.is_not(None)).distinct()
    values: dict[str, Any] = {}
    if attention := p.get("sub_needs_attention"):
        values["needs_attention"] = attention["on"]
        values["attention_reason"] = attention["reason"] if attention["on"] else None
    if status := p.get("sub_status"):
        values["status"] = status["status"]
        values["status_reason"] = status["reason"] if status["status"] != "active" else None
    values.update(_next_dates(conn, p))
    if values:
        conn.execute(update(Subscription).where(Subscription.id.in_(subs)).values(**values))
    if memo := p.get("subscription_memo"):
        _insert_memos(conn, SubscriptionMemo, "subscription_id", subs, memo, ctx, now)


def _next_dates(conn: Connection, p: dict[str, Any]) -> dict[str, date]:
    """次回発送予定日 / 次回配送予定日 as set, the other one following with 「同期する」
    (± the shop's 最短お届け日の指定)."""
    values: dict[str, date] = {}
    if not ("next_ship_date" in p or "next_delivery_date" in p):
        return values
    lead = timedelta(days=min_delivery_days(conn))
    if ship := p.get("next_ship_date"):
        values["next_ship_date"] = date.fromisoformat(ship["date"])
        if ship["sync"]:  # 次回配送予定日へ同期する
            values["next_delivery_date"] = values["next_ship_date"] + lead
    if deliv := p.get("next_delivery_date"):
        values["next_delivery_date"] = date.fromisoformat(deliv["date"])
        if deliv["sync"]:  # 次回発送予定日へ同期する
            values["next_ship_date"] = values["next_delivery_date"] - lead
    return values


def payments_to_cancel(conn: Connection, ids: Any) -> int:
    """How many of the orders `ids` selects still need 取消処理 (the 一括更新 dialog's caution)."""
    q = select(func.count()).where(ORDERS.c.id.in_(ids), ORDERS.c.payment_status.in_(PAYMENT_TO_CANCEL))
    return int(conn.execute(q).scalar_one())
