"""受注管理 > 定期受注管理: the searchable list of subscriptions, one subscription's tabs (基本設定,
受注履歴, 受注商品管理, メモ管理) as display values, and the edits of its 基本設定 and memos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ecweb_core import audit, events, permissions
from ecweb_core.errors import FormError
from ecweb_core.masters.reasons import CANCEL, STOP, check_reason
from ecweb_core.masters.shop import min_delivery_days
from ecweb_core.memos import write_memo
from ecweb_core.models import (
    Customer,
    Order,
    OrderStatus,
    PaymentMethod,
    Product,
    ProductPrice,
    Subscription,
    SubscriptionItem,
    SubscriptionMemo,
)
from ecweb_core.models.common import fmt_jst, utcnow
from ecweb_core.search import customer_text_match
from ecweb_core.sqlutil import contains
from ecweb_core.statuses import PAYMENT_STATUSES, SUBSCRIPTION_STATUSES
from ecweb_core.subscriptions.changes import SubscriptionEvents
from ecweb_core.subscriptions.cycles import Cycle, parse_cycle

S, C, OC = Subscription.__table__.c, Customer.__table__.c, Order.__table__.c


@dataclass(frozen=True)
class SubscriptionQuery:
    status: str = ""  # "" = all
    customer: str = ""  # 氏名 / カナ / メールアドレス (part)
    product: str = ""  # product name (part)
    next_from: date | None = None
    next_to: date | None = None
    needs_attention: bool = False


def parse_query(form: dict[str, Any]) -> SubscriptionQuery:
    errors: dict[str, str] = {}
    status = str(form.get("status") or "")
    if status and status not in SUBSCRIPTION_STATUSES:
        errors["status"] = "ステータスを選択肢から選んでください。"
    dates: dict[str, date | None] = {}
    for key, label in (("next_from", "次回配送予定日(開始)"), ("next_to", "次回配送予定日(終了)")):
        raw = str(form.get(key) or "").strip().replace("/", "-")
        try:
            dates[key] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[key] = f"{label}は「2026-01-31」の形式で入力してください。"
    texts = {k: str(form.get(k) or "").strip() for k in ("customer", "product")}
    for key, value in texts.items():
        if len(value) > 100:
            errors[key] = "検索文字列は100文字以内で入力してください。"
    if errors:
        raise FormError(errors)
    return SubscriptionQuery(status, texts["customer"], texts["product"], dates["next_from"], dates["next_to"],
                             bool(form.get("needs_attention")))  # fmt: skip


def _where(q: SubscriptionQuery) -> list[Any]:
    where: list[Any] = []
    if q.status:
        where.append(S.status == q.status)
    if q.customer:
        matching = customer_text_match(q.customer, phone=False)
        where.append(S.customer_id.in_(select(C.id).where(matching)))
    if q.product:
        si, p = SubscriptionItem.__table__.c, Product.__table__.c
        items = SubscriptionItem.__table__.join(Product.__table__, p.id == si.product_id)
        where.append(S.id.in_(select(si.subscription_id).select_from(items).where(contains(p.name, q.product))))
    if q.next_from:
        where.append(S.next_delivery_date >= q.next_from)
    if q.next_to:
        where.append(S.next_delivery_date <= q.next_to)
    if q.needs_attention:
        where.append(S.needs_attention.is_(True))
    return where


@dataclass
class SubscriptionRow:
    id: int
    customer_id: int
    customer: str
    products: str
    status: str
    cycle: str
    delivery_count: int
    next_ship_date: str
    next_delivery_date: str
    needs_attention: bool


def _status_label(status: str, reason: str | None) -> str:
    return SUBSCRIPTION_STATUSES.get(status, status) + (f"({reason})" if reason else "")


def _day(d: date | None) -> str:
    return d.strftime("%Y/%m/%d") if d else ""


def _cycle(r: Any) -> Cycle:
    return Cycle(r.cycle_kind, r.cycle_count, r.cycle_day, r.cycle_week, r.cycle_weekday)


def count_subscriptions(conn: Connection, q: SubscriptionQuery) -> int:
    return int(conn.execute(select(func.count()).select_from(Subscription.__table__).where(*_where(q))).scalar_one())


def list_subscriptions(conn: Connection, q: SubscriptionQuery, page: int, page_size: int) -> list[SubscriptionRow]:
    rows = conn.execute(
        select(Subscription.__table__, C.name.label("customer_name"))
        .join_from(Subscription.__table__, Customer.__table__, C.id == S.customer_id)
        .where(*_where(q))
        .order_by(S.next_delivery_date.is_(None), S.next_delivery_date, S.id)
        .offset((max(1, page) - 1) * page_size)
        .limit(page_size)
    ).all()
    names = _products(conn, [r.id for r in rows])
    return [
        SubscriptionRow(
            id=r.id, customer_id=r.customer_id, customer=r.customer_name, products=names.get(r.id, ""),
            status=SUBSCRIPTION_STATUSES.get(r.status, r.status), cycle=_cycle(r).label(),
            delivery_count=r.delivery_count, next_ship_date=_day(r.next_ship_date),
            next_delivery_date=_day(r.next_delivery_date), needs_attention=r.needs_attention,
        )
        for r in rows
    ]  # fmt: skip


def _products(conn: Connection, sub_ids: list[int]) -> dict[int, str]:
    if not sub_ids:
        return {}
    si, p = SubscriptionItem.__table__.c, Product.__table__.c
    rows = conn.execute(
        select(si.subscription_id, p.name)
        .join_from(SubscriptionItem.__table__, Product.__table__, p.id == si.product_id)
        .where(si.subscription_id.in_(sub_ids), si.bundled.is_(False))
        .order_by(si.id)
    )
    out: dict[int, list[str]] = {}
    for sub_id, name in rows:
        out.setdefault(sub_id, []).append(name)
    return {k: "、".join(v) for k, v in out.items()}


@dataclass
class SubscriptionDetail:
    id: int
    customer_id: int
    customer: str
    status: str  # code
    status_reason: str
    cycle_kind: str
    cycle_count: int
    cycle_day: int
    cycle_week: int
    cycle_weekday: int
    next_ship_date: str  # ISO, for the form
    next_delivery_date: str
    fields: list[list[str]]  # label, value
    next_count: int  # the delivery the items are for (定期回数 + 1)
    items: list[list[str]]  # product, unit price, quantity, line total, 同梱品, 回数別価格
    orders: list[list[str]]  # order id, number, 受注日, 定期回数 (cycle date), status, payment status, total
    memos: list[list[str]] = field(default_factory=list)  # time, body


def load_detail(conn: Connection, sub_id: int) -> SubscriptionDetail | None:
    r = conn.execute(
        select(Subscription.__table__, C.name.label("customer_name"), PaymentMethod.name.label("method"))
        .join_from(Subscription.__table__, Customer.__table__, C.id == S.customer_id)
        .join(PaymentMethod.__table__, PaymentMethod.id == S.payment_method_id)
        .where(S.id == sub_id)
    ).first()
    if r is None:
        return None
    yen = "¥{:,}".format
    si, p = SubscriptionItem.__table__.c, Product.__table__.c
    items = conn.execute(
        select(p.id, p.name, p.price, si.unit_price, si.quantity, si.bundled)
        .join_from(SubscriptionItem.__table__, Product.__table__, p.id == si.product_id)
        .where(si.subscription_id == sub_id)
        .order_by(si.bundled, si.id)
    ).all()
    by_count = _count_prices(conn, [i.id for i in items])
    st = OrderStatus.__table__.c
    orders = conn.execute(
        select(OC.id, OC.number, OC.ordered_at, OC.subscription_cycle_date, st.name, OC.payment_status, OC.total)
        .join_from(Order.__table__, OrderStatus.__table__, st.id == OC.status_id)
        .where(OC.subscription_id == sub_id)
        .order_by(OC.id.desc())
        .limit(200)
    ).all()
    m = SubscriptionMemo.__table__.c
    memos = conn.execute(select(m.created_at, m.body).where(m.subscription_id == sub_id).order_by(m.id.desc()))
    return SubscriptionDetail(
        id=r.id, customer_id=r.customer_id, customer=r.customer_name, status=r.status,
        status_reason=r.status_reason or "", cycle_kind=r.cycle_kind, cycle_count=r.cycle_count,
        cycle_day=r.cycle_day or 1, cycle_week=r.cycle_week or 1, cycle_weekday=r.cycle_weekday or 0,
        next_ship_date=r.next_ship_date.isoformat() if r.next_ship_date else "",
        next_delivery_date=r.next_delivery_date.isoformat() if r.next_delivery_date else "",
        fields=[
            ["定期受注ID", str(r.id)],
            ["顧客", r.customer_name],
            ["ステータス", _status_label(r.status, r.status_reason)],
            ["お届けサイクル", _cycle(r).label()],
            ["定期回数", f"{r.delivery_count}回"],
            ["次回発送予定日", _day(r.next_ship_date)],
            ["次回配送予定日", _day(r.next_delivery_date)],
            ["次回の商品小計", yen(r.next_subtotal)],
            ["支払方法", r.method],
            ["要対応", ("要対応 " + (r.attention_reason or "")) if r.needs_attention else "なし"],
        ],
        next_count=r.delivery_count + 1,
        items=[
            [i.name, yen(i.unit_price), str(i.quantity), yen(i.unit_price * i.quantity), "同梱品" if i.bundled else "",
             "" if i.bundled else by_count.get(i.id, f"全回 {yen(i.price)}")]
            for i in items
        ],
        orders=[
            [str(o.id), o.number, fmt_jst(o.ordered_at), _day(o.subscription_cycle_date), o.name,
             PAYMENT_STATUSES.get(o.payment_status, o.payment_status), yen(o.total)]
            for o in orders
        ],
        memos=[[fmt_jst(at), body] for at, body in memos],
    )  # fmt: skip


def _count_prices(conn: Connection, product_ids: list[int]) -> dict[int, str]:
    """回数別価格 per product: 「1回目〜 ¥1,980 / 2回目〜 ¥3,480」."""
    pp = ProductPrice.__table__.c
    rows = conn.execute(
        select(pp.product_id, pp.from_count, pp.price).where(pp.product_id.in_(product_ids)).order_by(pp.from_count)
    )
    out: dict[int, list[str]] = {}
    for product_id, from_count, price in rows:
        out.setdefault(product_id, []).append(f"{from_count}回目〜 ¥{price:,}")
    return {k: " / ".join(v) for k, v in out.items()}


def save_basic(conn: Connection, sub_id: int, form: dict[str, Any], operator_id: int | None) -> None:
    """基本設定: ステータス + 停止理由 / キャンセル理由, 次回発送予定日 / 次回配送予定日 (同期する), the cycle.
    Everything is checked first; nothing changes on an error. The changes write their events."""
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    sub = conn.execute(select(Subscription.__table__).where(S.id == sub_id)).first()
    if sub is None:
        raise FormError({"form": "定期受注が見つかりません。"})
    errors: dict[str, str] = {}
    status = str(form.get("status") or "")
    if status not in SUBSCRIPTION_STATUSES:
        errors["status"] = "ステータスを選択してください。"
    reason = str(form.get("status_reason") or "").strip() or None
    if status == "active" and reason:
        errors["status_reason"] = "有効の場合、停止理由・キャンセル理由は指定できません。"
    elif reason and status in ("paused", "cancelled") and not check_reason(conn, _reason_kind(status), reason):
        label = "停止理由" if status == "paused" else "キャンセル理由"
        errors["status_reason"] = f"{label}は選択肢から選んでください。"
    dates: dict[str, date] = {}
    for key, label in (("next_ship_date", "次回発送予定日"), ("next_delivery_date", "次回配送予定日")):
        raw = str(form.get(key) or "").strip().replace("/", "-")
        try:
            dates[key] = date.fromisoformat(raw)
        except ValueError:
            errors[key] = f"{label}は「2026-01-31」の形式で入力してください。"
    cycle = parse_cycle(form, errors)
    # The seed's two checkboxes: 「次回配送予定日へ同期する」 / 「次回発送予定日へ同期する」.
    to_delivery, to_ship = _checked(form.get("sync_delivery")), _checked(form.get("sync_ship"))
    if to_delivery and to_ship:
        errors["sync"] = "「次回配送予定日へ同期する」と「次回発送予定日へ同期する」はどちらか一方のみ指定できます。"
    if errors:
        raise FormError(errors)
    assert cycle is not None
    lead = timedelta(days=min_delivery_days(conn))
    if to_delivery:  # 次回配送予定日 = 次回発送予定日 + 最短お届け日の指定
        dates["next_delivery_date"] = dates["next_ship_date"] + lead
    elif to_ship:  # 次回発送予定日 = 次回配送予定日 - 最短お届け日の指定
        dates["next_ship_date"] = dates["next_delivery_date"] - lead
    if dates["next_ship_date"] > dates["next_delivery_date"]:
        raise FormError({"next_ship_date": "次回発送予定日は次回配送予定日以前の日付にしてください。"})
    _events(conn, sub_id, status, reason, dates, operator_id)
    conn.execute(
        update(Subscription.__table__)
        .where(S.id == sub_id)
        .values(
            status=status,
            status_reason=None if status == "active" else reason,
            cycle_kind=cycle.kind,
            cycle_count=cycle.count,
            cycle_day=cycle.day,
            cycle_week=cycle.week,
            cycle_weekday=cycle.weekday,
            **dates,
        )  # fmt: skip
    )
    audit.record_edited(conn, operator_id, f"定期受注 #{sub_id}", "基本設定を保存")


def _checked(value: Any) -> bool:
    return value is True or str(value or "").lower() in ("on", "true", "1", "yes")


def _reason_kind(status: str) -> str:
    return STOP if status == "paused" else CANCEL


def _events(conn: Connection, sub_id: int, status: str, reason: str | None, dates: dict[str, date],
            operator_id: int | None) -> None:  # fmt: skip
    """The events of a change made on the subscription's own page go on its latest order (an event
    belongs to an order; a subscription without orders has none to carry them)."""
    latest = conn.execute(select(func.max(OC.id)).where(OC.subscription_id == sub_id)).scalar()
    if latest is None:
        return
    batch = events.EventBatch(events.UI, operator_id, utcnow())
    changes = SubscriptionEvents(conn, batch, [int(latest)])
    changes.status(status, reason)
    changes.dates(dates)
    batch.write(conn)


def add_memo(conn: Connection, sub_id: int, body: str, operator_id: int | None) -> None:
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    if conn.execute(select(S.id).where(S.id == sub_id)).first() is None:
        raise FormError({"form": "定期受注が見つかりません。"})
    write_memo(conn, SubscriptionMemo, body, operator_id, subscription_id=sub_id)
    audit.record_edited(conn, operator_id, f"定期受注 #{sub_id}", "メモを追加")


def payment_status_of(conn: Connection, order_id: int) -> str | None:
    return conn.execute(select(OC.payment_status).where(OC.id == order_id)).scalar_one_or_none()
