"""定期受注 changes made through its orders (一括更新, 決済状況一括変更's 取消処理, rules): the events
they write, and 定期受注を再計算する (the next delivery's prices per delivery count and 同梱品).

A subscription is changed through the selected orders of it: its event goes on the chunk's first
such order, once per subscription whose value really changes (evaluated before the UPDATE)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, delete, exists, func, insert, literal, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from ecweb_core import events
from ecweb_core.models import Order, Product, ProductBundle, ProductPrice, Subscription, SubscriptionItem
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import SUBSCRIPTION_STATUSES

ORDERS = Order.__table__
SUBS = Subscription.__table__
ITEMS = SubscriptionItem.__table__
DATE_LABELS = {"next_ship_date": "次回発送予定日", "next_delivery_date": "次回配送予定日"}


def subscriptions_of(conn: Connection, order_ids: list[int]) -> list[int]:
    o = ORDERS.c
    q = select(o.subscription_id).where(in_ids(conn, o.id, order_ids), o.subscription_id.is_not(None)).distinct()
    return sorted(set(conn.execute(q).scalars()))


class SubscriptionEvents:
    """The subscription events of one change to a set of orders, added to the change's EventBatch."""

    def __init__(self, conn: Connection, batch: events.EventBatch, order_ids: list[int]) -> None:
        self.batch = batch
        mine = ORDERS.alias("mine")
        self.first_of_sub = and_(
            ORDERS.c.subscription_id.is_not(None),
            ORDERS.c.id
            == select(func.min(mine.c.id))
            .where(mine.c.subscription_id == ORDERS.c.subscription_id, in_ids(conn, mine.c.id, order_ids))
            .scalar_subquery(),
        )

    def _changed(self, *differs: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(self.first_of_sub, exists().where(SUBS.c.id == ORDERS.c.subscription_id, or_(*differs)))

    def status(self, status: str, reason: str | None) -> None:
        label = SUBSCRIPTION_STATUSES[status] + (f"({reason})" if reason else "")
        self.batch.add(events.SUBSCRIPTION_STATUS_CHANGED, label, self._changed(SUBS.c.status != status))

    def attention(self, on: bool, reason: str | None) -> None:
        label = ("要対応" + (f"({reason})" if reason else "")) if on else "解除"
        self.batch.add(events.SUBSCRIPTION_ATTENTION_CHANGED, label, self._changed(SUBS.c.needs_attention.is_(not on)))

    def dates(self, dates: dict[str, date]) -> None:
        if not dates:
            return
        label = " / ".join(f"{DATE_LABELS[k]} {v.isoformat()}" for k, v in dates.items())
        differs = [or_(SUBS.c[k].is_(None), SUBS.c[k] != v) for k, v in dates.items()]
        self.batch.add(events.SUBSCRIPTION_DATES_CHANGED, label, self._changed(*differs))


def count_down(conn: Connection, sub_ids: list[int]) -> None:
    """定期受注の定期回数を-1する (never below 0)."""
    if sub_ids:
        count = SUBS.c.delivery_count
        conn.execute(
            update(SUBS)
            .where(in_ids(conn, SUBS.c.id, sub_ids))
            .values(delivery_count=func.coalesce(func.nullif(count, 0), 1) - 1)
        )


def recalculate(conn: Connection, sub_ids: list[int]) -> None:
    """定期受注を再計算する: each item of the next delivery (定期回数 + 1) at its price for that delivery
    count (ProductPrice, else the product's price), that delivery's 同梱品 (ProductBundle) as items,
    and the next delivery's subtotal. Set-based: a handful of statements for any number."""
    if not sub_ids:
        return
    mine = in_ids(conn, ITEMS.c.subscription_id, sub_ids)
    # Correlated to the item being updated (nested subqueries do not correlate by themselves).
    next_count = (
        select(SUBS.c.delivery_count + 1).where(SUBS.c.id == ITEMS.c.subscription_id).correlate(ITEMS).scalar_subquery()
    )
    pp, pr = ProductPrice.__table__, Product.__table__
    by_count = (
        select(pp.c.price)
        .where(pp.c.product_id == ITEMS.c.product_id, pp.c.from_count <= next_count)
        .order_by(pp.c.from_count.desc())
        .limit(1)
        .correlate(ITEMS)
        .scalar_subquery()
    )
    own = select(pr.c.price).where(pr.c.id == ITEMS.c.product_id).scalar_subquery()
    conn.execute(delete(ITEMS).where(mine, ITEMS.c.bundled.is_(True)))
    conn.execute(update(ITEMS).where(mine).values(unit_price=func.coalesce(by_count, own)))
    pb, si, s = ProductBundle.__table__, ITEMS.alias("si"), SUBS.alias("s")
    bundles = (
        select(si.c.subscription_id, pb.c.bundled_product_id, pb.c.quantity * si.c.quantity, literal(0), true())
        .select_from(si.join(s, s.c.id == si.c.subscription_id).join(pb, pb.c.product_id == si.c.product_id))
        .where(in_ids(conn, si.c.subscription_id, sub_ids), pb.c.delivery_count == s.c.delivery_count + 1)
    )
    conn.execute(
        insert(ITEMS).from_select(["subscription_id", "product_id", "quantity", "unit_price", "bundled"], bundles)
    )
    total = (
        select(func.coalesce(func.sum(ITEMS.c.unit_price * ITEMS.c.quantity), 0))
        .where(ITEMS.c.subscription_id == SUBS.c.id)
        .scalar_subquery()
    )
    conn.execute(update(SUBS).where(in_ids(conn, SUBS.c.id, sub_ids)).values(next_subtotal=total))
