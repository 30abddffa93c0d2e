"""顧客管理 > 顧客管理: the searchable list of customers and one customer's tabs — 基本情報, 受注履歴,
定期受注, ポイント (balance and its history), ブラックリスト, メモ管理 — with their edits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ecweb_core import audit, permissions
from ecweb_core.errors import FormError
from ecweb_core.masters.reasons import BLACKLIST, check_reason
from ecweb_core.memos import write_memo
from ecweb_core.models import Customer, CustomerMemo, Order, OrderStatus, PointLedger, Subscription
from ecweb_core.models.common import fmt_jst
from ecweb_core.search import customer_text_match
from ecweb_core.statuses import PAYMENT_STATUSES, SUBSCRIPTION_STATUSES
from ecweb_core.subscriptions.cycles import Cycle

C, OC, SC = Customer.__table__.c, Order.__table__.c, Subscription.__table__.c


@dataclass
class CustomerRow:
    id: int
    name: str
    kana: str
    email: str
    phone: str
    orders: int
    points: str
    blacklisted: bool


def _where(text: str) -> list[Any]:
    text = text.strip()
    if not text:
        return []
    return [customer_text_match(text)]


def check_query(text: str) -> str:
    if len(text) > 100:
        raise FormError({"q": "検索文字列は100文字以内で入力してください。"})
    return text.strip()


def count_customers(conn: Connection, text: str) -> int:
    return int(conn.execute(select(func.count()).select_from(Customer.__table__).where(*_where(text))).scalar_one())


def list_customers(conn: Connection, text: str, page: int, page_size: int) -> list[CustomerRow]:
    n_orders = select(func.count()).where(OC.customer_id == C.id).scalar_subquery()
    rows = conn.execute(
        select(C.id, C.name, C.kana, C.email, C.phone, C.points_balance, C.blacklisted, n_orders.label("n"))
        .where(*_where(text))
        .order_by(C.id.desc())
        .offset((max(1, page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        CustomerRow(r.id, r.name, r.kana, r.email or "", r.phone or "", r.n, f"{r.points_balance:,} pt", r.blacklisted)
        for r in rows
    ]


@dataclass
class CustomerDetail:
    id: int
    name: str
    blacklisted: bool
    blacklist_reason: str
    fields: list[list[str]]
    orders: list[list[str]]  # id, number, 受注日, status, payment status, total, 定期
    subscriptions: list[list[str]]  # id, status, 定期回数, next delivery, cycle
    points_balance: str
    points: list[list[str]]  # time, 区分, order number, delta, reason, order id
    memos: list[list[str]]  # time, body


def load_customer(conn: Connection, customer_id: int) -> CustomerDetail | None:
    c = conn.execute(select(Customer.__table__).where(C.id == customer_id)).first()
    if c is None:
        return None
    st = OrderStatus.__table__.c
    orders = conn.execute(
        select(OC.id, OC.number, OC.ordered_at, st.name, OC.payment_status, OC.total, OC.subscription_id)
        .join_from(Order.__table__, OrderStatus.__table__, st.id == OC.status_id)
        .where(OC.customer_id == customer_id)
        .order_by(OC.id.desc())
        .limit(200)
    ).all()
    subs = conn.execute(select(Subscription.__table__).where(SC.customer_id == customer_id).order_by(SC.id)).all()
    pl = PointLedger.__table__.c
    points = conn.execute(
        select(pl.created_at, OC.number, pl.delta, pl.reason, pl.order_id)
        .select_from(PointLedger.__table__.outerjoin(Order.__table__, OC.id == pl.order_id))
        .where(pl.customer_id == customer_id)
        .order_by(pl.created_at.desc(), pl.id.desc())
        .limit(200)
    ).all()
    m = CustomerMemo.__table__.c
    memos = conn.execute(select(m.created_at, m.body).where(m.customer_id == customer_id).order_by(m.id.desc()))
    yen = "¥{:,}".format
    return CustomerDetail(
        id=c.id,
        name=c.name,
        blacklisted=c.blacklisted,
        blacklist_reason=c.blacklist_reason or "",
        fields=[
            ["顧客ID", str(c.id)],
            ["氏名", c.name],
            ["カナ", c.kana],
            ["メールアドレス", c.email or ""],
            ["電話番号", c.phone or ""],
            ["住所", f"〒{c.postal_code or ''} {c.prefecture or ''}{c.address or ''}"],
            ["メール配信", "送信する" if c.mail_opt_in else "送信しない"],
            ["ブラックリスト", ("はい " + (c.blacklist_reason or "")) if c.blacklisted else "いいえ"],
            ["保有ポイント", f"{c.points_balance:,} pt"],
        ],
        orders=[
            [
                str(o.id),
                o.number,
                fmt_jst(o.ordered_at),
                o.name,
                PAYMENT_STATUSES.get(o.payment_status, o.payment_status),
                yen(o.total),
                "定期" if o.subscription_id else "",
            ]
            for o in orders
        ],  # fmt: skip
        subscriptions=[
            [
                str(s.id),
                SUBSCRIPTION_STATUSES.get(s.status, s.status),
                f"{s.delivery_count}回",
                s.next_delivery_date.strftime("%Y/%m/%d") if s.next_delivery_date else "",
                Cycle(s.cycle_kind, s.cycle_count, s.cycle_day, s.cycle_week, s.cycle_weekday).label(),
            ]
            for s in subs
        ],  # fmt: skip
        points_balance=f"{c.points_balance:,} pt",
        points=[
            [
                fmt_jst(p.created_at),
                point_kind(p.delta, p.reason),
                p.number or "",
                f"{p.delta:+,} pt",
                p.reason,
                str(p.order_id or ""),
            ]
            for p in points
        ],  # fmt: skip
        memos=[[fmt_jst(at), body] for at, body in memos],
    )


def point_kind(delta: int, reason: str) -> str:
    """The ポイント tab's 区分: 付与, 利用, and a cancellation's 返還 (of used points) / 取消 (of granted)."""
    if "返還" in reason:
        return "返還"
    if "取消" in reason:
        return "取消"
    if "移行" in reason or "調整" in reason:
        return "調整"
    return "付与" if delta > 0 else "利用"


def set_blacklist(conn: Connection, customer_id: int, on: bool, reason: str, *, operator_id: int | None = None) -> None:
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    reason = reason.strip()
    if on and reason and not check_reason(conn, BLACKLIST, reason):
        raise FormError({"blacklist_reason": "ブラックリスト理由は選択肢から選んでください。"})
    if not on and reason:
        raise FormError({"blacklist_reason": "ブラックリストに登録する場合のみ理由を指定できます。"})
    done = conn.execute(
        update(Customer.__table__)
        .where(C.id == customer_id)
        .values(blacklisted=on, blacklist_reason=(reason or None) if on else None)
    ).rowcount
    if not done:
        raise FormError({"form": "顧客が見つかりません。"})
    audit.record_edited(conn, operator_id, f"顧客 #{customer_id}", "ブラックリスト登録" if on else "ブラックリスト解除")


def add_memo(conn: Connection, customer_id: int, body: str, operator_id: int | None) -> None:
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    if conn.execute(select(C.id).where(C.id == customer_id)).first() is None:
        raise FormError({"form": "顧客が見つかりません。"})
    write_memo(conn, CustomerMemo, body, operator_id, customer_id=customer_id)
    audit.record_edited(conn, operator_id, f"顧客 #{customer_id}", "メモを追加")
