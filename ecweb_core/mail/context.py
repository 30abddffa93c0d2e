"""What a mail template sees for an order: loaded for a whole chunk in two queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core.models import Customer, DeliveryCompany, Order, OrderItem, OrderStatus, PaymentMethod, ShopSettings
from ecweb_core.models.common import fmt_jst
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import PAYMENT_STATUSES

DEFAULT_SHOP_NAME = "ecweb デモショップ"


@dataclass(frozen=True)
class OrderMail:
    """One order's recipient and template context."""

    order_id: int
    email: str | None
    name: str
    opt_in: bool
    context: dict[str, Any]


def shop_name(conn: Connection | Session) -> str:
    """The shop's name as mails sign it (a placeholder, the sender's display name)."""
    name = conn.execute(select(ShopSettings.shop_name).order_by(ShopSettings.id).limit(1)).scalar()
    return name or DEFAULT_SHOP_NAME


def _day(value: date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def _stamp(value: datetime | None) -> str:
    return fmt_jst(value) if value else ""


def load_order_mails(conn: Connection, order_ids: list[int]) -> dict[int, OrderMail]:
    """The orders that exist among `order_ids`, with customer, items and shop, set-based."""
    if not order_ids:
        return {}
    o, c = Order.__table__.c, Customer.__table__.c
    pm, dc, st = PaymentMethod.__table__.c, DeliveryCompany.__table__.c, OrderStatus.__table__.c
    rows = conn.execute(
        select(o, c.name.label("c_name"), c.kana, c.email, c.phone, c.postal_code, c.prefecture, c.address,
               c.points_balance, c.mail_opt_in, pm.name.label("pm_name"), dc.name.label("dc_name"),
               st.name.label("st_name"))
        .select_from(
            Order.__table__.join(Customer.__table__, c.id == o.customer_id)
            .outerjoin(PaymentMethod.__table__, pm.id == o.payment_method_id)
            .outerjoin(DeliveryCompany.__table__, dc.id == o.delivery_company_id)
            .outerjoin(OrderStatus.__table__, st.id == o.status_id)
        )
        .where(in_ids(conn, o.id, order_ids))
    ).mappings().all()  # fmt: skip
    it = OrderItem.__table__.c
    items: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for r in conn.execute(
        select(it.order_id, it.product_name, it.unit_price, it.quantity, it.product_id)
        .where(in_ids(conn, it.order_id, order_ids))
        .order_by(it.order_id, it.id)
    ):
        items[r.order_id].append(
            SimpleNamespace(
                name=r.product_name, code=str(r.product_id), unit_price=r.unit_price, quantity=r.quantity,
                subtotal=r.unit_price * r.quantity,
            )
        )  # fmt: skip
    shop = SimpleNamespace(name=shop_name(conn))
    return {r["id"]: _order_mail(r, items.get(r["id"], []), shop) for r in rows}


def _order_mail(r: Any, items: list[SimpleNamespace], shop: SimpleNamespace) -> OrderMail:
    order = SimpleNamespace(
        number=r["number"], ordered_at=_stamp(r["ordered_at"]), status=r["st_name"] or "",
        payment_status=PAYMENT_STATUSES.get(r["payment_status"], r["payment_status"]),
        payment_method=r["pm_name"] or "", delivery_company=r["dc_name"] or "",
        tracking_number=r["tracking_number"] or "", scheduled_ship_date=_day(r["scheduled_ship_date"]),
        shipped_at=_stamp(r["shipped_at"]), scheduled_delivery_date=_day(r["scheduled_delivery_date"]),
        delivered_at=_stamp(r["delivered_at"]), subtotal=r["subtotal"], shipping_fee=r["shipping_fee"],
        payment_fee=r["payment_fee"], points_used=r["points_used"], points_granted=r["points_granted"],
        total=r["total"],
    )  # fmt: skip
    customer = SimpleNamespace(
        name=r["c_name"], kana=r["kana"], email=r["email"] or "", phone=r["phone"] or "",
        postal_code=r["postal_code"] or "", prefecture=r["prefecture"] or "", address=r["address"] or "",
        points_balance=r["points_balance"],
    )  # fmt: skip
    return OrderMail(
        order_id=r["id"],
        email=(r["email"] or "").strip() or None,
        name=r["c_name"],
        opt_in=bool(r["mail_opt_in"]),
        context={"order": order, "customer": customer, "items": items, "shop": shop},
    )
