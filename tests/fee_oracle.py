"""The seed's fee rules written out plainly, one order at a time, from the settings as stored: the
independent expectation the tests hold the set-based SQL of ecweb_core/fees.py to."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

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


def _products(s: Session, order_id: int) -> list[Product]:
    return list(
        s.execute(
            select(Product).join(OrderItem, OrderItem.product_id == Product.id).where(OrderItem.order_id == order_id)
        ).scalars()
    )


def expected_payment_fee(s: Session, order: Order) -> int:
    own = [p.payment_fee for p in _products(s, order.id) if p.payment_fee is not None]  # type: ignore[arg-type]
    if own:
        return max(own)
    tiers = s.execute(
        select(PaymentFeeTier).where(PaymentFeeTier.payment_method_id == order.payment_method_id)
    ).scalars()
    reached = [t for t in tiers if order.subtotal >= t.min_amount]
    if reached:
        return max(reached, key=lambda t: t.min_amount).fee
    method = s.get(PaymentMethod, order.payment_method_id)
    assert method is not None
    return method.fee


def expected_shipping_fee(s: Session, order: Order) -> int:
    own = [p.shipping_fee for p in _products(s, order.id) if p.shipping_fee is not None]  # type: ignore[arg-type]
    if own:
        return max(own)
    company = s.get(DeliveryCompany, order.delivery_company_id)
    assert company is not None
    if company.free_shipping_from is not None and order.subtotal >= company.free_shipping_from:
        return 0
    customer = s.get(Customer, order.customer_id)
    assert customer is not None
    pref = s.get(PrefectureShippingFee, (company.id, customer.prefecture))
    return pref.fee if pref else company.fee
