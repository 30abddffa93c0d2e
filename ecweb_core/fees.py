"""支払い手数料 and 送料 of orders, from the shop's settings (支払方法, 配送/送料設定), set-based.

The one place the fee rules live (SPEC B1 and the seed's 一括更新時の注意事項):
- 支払い手数料: a product's own fee wins (the highest among the order's items); else the order's
  payment method's fee for its 商品小計 — the highest amount tier reached (payment_fee_tiers), or the
  method's fee below every tier.
- 送料: a product's own fee wins (the highest among the order's items); else 0 when the delivery
  company ships free from an amount the 商品小計 reaches; else the company's fee to the customer's
  prefecture (都道府県別送料), or its 基本送料.

`recompute_fees` applies them to a set of orders with one UPDATE (then one for 合計), reading each
order's own payment method / delivery company: 一括更新 calls it after changing them, the demo
generator after inserting orders, and whoever creates orders later (定期受注) the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, case, func, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    Order,
    OrderItem,
    PaymentFeeTier,
    PaymentMethod,
    PrefectureShippingFee,
    Product,
)

ORDERS = Order.__table__
_OI, _PR = OrderItem.__table__, Product.__table__


def _own_fee(product_fee: Any) -> Any:
    """The highest own fee among the order's products (NULL when none of them has one)."""
    return (
        select(func.max(product_fee))
        .select_from(_OI.join(_PR, _PR.c.id == _OI.c.product_id))
        .where(_OI.c.order_id == ORDERS.c.id, product_fee.is_not(None))
        .scalar_subquery()
    )


def _id(value: int | None, column: Any) -> Any:
    """The order's own method / company, or the one it is being changed to."""
    return column if value is None else literal(int(value), Integer)


def payment_fee_expr(method_id: int | None = None) -> ColumnElement[Any]:
    t, pm = PaymentFeeTier.__table__.c, PaymentMethod.__table__.c
    method = _id(method_id, ORDERS.c.payment_method_id)
    tier = (
        select(t.fee)
        .where(t.payment_method_id == method, t.min_amount <= ORDERS.c.subtotal)
        .order_by(t.min_amount.desc())
        .limit(1)
        .scalar_subquery()
    )
    base = select(pm.fee).where(pm.id == method).scalar_subquery()
    return func.coalesce(_own_fee(_PR.c.payment_fee), tier, base, 0)


def shipping_fee_expr(company_id: int | None = None) -> ColumnElement[Any]:
    dc, pf, c = DeliveryCompany.__table__.c, PrefectureShippingFee.__table__.c, Customer.__table__.c
    company_ref = _id(company_id, ORDERS.c.delivery_company_id)
    free_from = select(dc.free_shipping_from).where(dc.id == company_ref).scalar_subquery()
    # One level of correlation (a nested scalar subquery would not correlate to the orders).
    to_prefecture = (
        select(pf.fee)
        .select_from(PrefectureShippingFee.__table__.join(Customer.__table__, c.prefecture == pf.prefecture))
        .where(pf.delivery_company_id == company_ref, c.id == ORDERS.c.customer_id)
        .scalar_subquery()
    )
    base = select(dc.fee).where(dc.id == company_ref).scalar_subquery()
    # subtotal >= NULL is NULL: a company without 送料無料 falls through to its fee.
    company = case((ORDERS.c.subtotal >= free_from, 0), else_=func.coalesce(to_prefecture, base, 0))
    return func.coalesce(_own_fee(_PR.c.shipping_fee), company)


def recompute_fees(
    conn: Connection,
    where: ColumnElement[bool],
    *,
    payment: bool = True,
    shipping: bool = True,
    method_id: int | None = None,
    company_id: int | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """ONE UPDATE of the orders matching `where`: `values` (e.g. the new 支払方法 / 配送業者
    themselves, `method_id` / `company_id`), the recomputed 支払い手数料 and / or 送料, and 合計.

    The fees are computed once per order in a derived table the UPDATE joins by id (UPDATE … FROM,
    SQLite >= 3.33 and PostgreSQL): one new row version per order instead of three — PostgreSQL
    writes every index entry again for each UPDATE of a row."""
    o = ORDERS.c
    columns: list[Any] = [o.id]
    if payment:
        columns.append(payment_fee_expr(method_id).label("new_payment_fee"))
    if shipping:
        columns.append(shipping_fee_expr(company_id).label("new_shipping_fee"))
    fees = select(*columns).where(where).subquery("fees")
    new_payment = fees.c.new_payment_fee if payment else o.payment_fee
    new_shipping = fees.c.new_shipping_fee if shipping else o.shipping_fee
    changes: dict[str, Any] = dict(values or {})
    if payment:
        changes["payment_fee"] = new_payment
    if shipping:
        changes["shipping_fee"] = new_shipping
    if payment or shipping:
        changes["total"] = o.subtotal + new_shipping + new_payment - o.points_used
    if changes:
        conn.execute(update(ORDERS).where(o.id == fees.c.id).values(**changes))
