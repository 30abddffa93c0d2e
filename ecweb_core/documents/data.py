"""What a document prints for each order of a chunk, loaded set-based (a few queries per chunk).

The placeholders of the remarks, 宛名 and 但し書き are the mail templates' own (mail/context.py
loads them), so an operator writes `{{ customer.name }}` the same way in both."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ecweb_core.mail.context import load_order_mails
from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    DocumentIssue,
    Order,
    OrderItem,
    OrderMemo,
    PaymentMethod,
)
from ecweb_core.models.common import JST
from ecweb_core.sqlutil import in_ids


@dataclass(frozen=True)
class ItemLine:
    name: str
    unit_price: int
    quantity: int
    rate: int

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass
class OrderDoc:
    order_id: int
    number: str
    ordered_on: date | None
    shipped_on: date | None
    payment_method: str
    payment_code: str
    delivery_company: str
    tracking_number: str
    customer_name: str
    postal_code: str
    address: str
    phone: str
    subtotal: int
    shipping_fee: int
    payment_fee: int
    points_used: int
    points_granted: int
    total: int
    items: list[ItemLine] = field(default_factory=list)
    memos: list[str] = field(default_factory=list)
    prior_issues: int = 0  # documents of this kind already issued for the order
    first_issued: date | None = None
    placeholders: dict[str, Any] = field(default_factory=dict)


def _day(value: Any) -> date | None:
    return value.astimezone(JST).date() if value is not None else None


def load_docs(conn: Connection, order_ids: list[int], kind: str, with_memos: bool = False) -> dict[int, OrderDoc]:
    """The orders of `order_ids` that exist, with items, memos and the issue history of `kind`."""
    if not order_ids:
        return {}
    o, c = Order.__table__.c, Customer.__table__.c
    pm, dc = PaymentMethod.__table__.c, DeliveryCompany.__table__.c
    rows = conn.execute(
        select(
            o.id, o.number, o.ordered_at, o.shipped_at, o.tracking_number, o.subtotal, o.shipping_fee,
            o.payment_fee, o.points_used, o.points_granted, o.total, c.name, c.postal_code, c.prefecture,
            c.address, c.phone, pm.name.label("pm_name"), pm.code.label("pm_code"), dc.name.label("dc_name"),
        )
        .select_from(
            Order.__table__.join(Customer.__table__, c.id == o.customer_id)
            .outerjoin(PaymentMethod.__table__, pm.id == o.payment_method_id)
            .outerjoin(DeliveryCompany.__table__, dc.id == o.delivery_company_id)
        )
        .where(in_ids(conn, o.id, order_ids))
    ).all()  # fmt: skip
    docs = {
        r.id: OrderDoc(
            order_id=r.id, number=r.number, ordered_on=_day(r.ordered_at), shipped_on=_day(r.shipped_at),
            payment_method=r.pm_name or "", payment_code=r.pm_code or "", delivery_company=r.dc_name or "",
            tracking_number=r.tracking_number or "", customer_name=r.name, postal_code=r.postal_code or "",
            address=f"{r.prefecture or ''}{r.address or ''}", phone=r.phone or "", subtotal=r.subtotal,
            shipping_fee=r.shipping_fee, payment_fee=r.payment_fee, points_used=r.points_used,
            points_granted=r.points_granted, total=r.total,
        )
        for r in rows
    }  # fmt: skip
    if not docs:
        return {}
    ids = list(docs)
    it = OrderItem.__table__.c
    for r in conn.execute(
        select(it.order_id, it.product_name, it.unit_price, it.quantity, it.tax_rate)
        .where(in_ids(conn, it.order_id, ids))
        .order_by(it.order_id, it.id)
    ):
        docs[r.order_id].items.append(ItemLine(r.product_name, r.unit_price, r.quantity, r.tax_rate))
    if with_memos:
        m = OrderMemo.__table__.c
        for r in conn.execute(
            select(m.order_id, m.body).where(in_ids(conn, m.order_id, ids)).order_by(m.order_id, m.id)
        ):
            docs[r.order_id].memos.append(r.body)
    d = DocumentIssue.__table__.c
    for r in conn.execute(
        select(d.order_id, func.max(d.issue_no), func.min(d.issue_date))
        .where(in_ids(conn, d.order_id, ids), d.kind == kind)
        .group_by(d.order_id)
    ):
        docs[r[0]].prior_issues, docs[r[0]].first_issued = int(r[1]), r[2]
    mails = load_order_mails(conn, ids)
    for oid, doc in docs.items():
        doc.placeholders = dict(mails[oid].context) if oid in mails else {}
    return docs
