"""The choice lists the search form and bulk forms offer (id, label), in display order."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.models import DeliveryCompany, Label, OrderStatus, PaymentMethod
from ecweb_core.statuses import PAYMENT_STATUSES

Choice = tuple[str, str]


def order_statuses(session: Session) -> list[Choice]:
    rows = session.execute(select(OrderStatus.id, OrderStatus.name).order_by(OrderStatus.position, OrderStatus.id))
    return [(str(i), n) for i, n in rows]


def payment_methods(session: Session) -> list[Choice]:
    rows = session.execute(select(PaymentMethod.id, PaymentMethod.name).order_by(PaymentMethod.position))
    return [(str(i), n) for i, n in rows]


def delivery_companies(session: Session) -> list[Choice]:
    rows = session.execute(select(DeliveryCompany.id, DeliveryCompany.name).order_by(DeliveryCompany.position))
    return [(str(i), n) for i, n in rows]


def labels(session: Session) -> list[Choice]:
    return [(str(i), n) for i, n in session.execute(select(Label.id, Label.name).order_by(Label.name))]


def payment_statuses() -> list[Choice]:
    return list(PAYMENT_STATUSES.items())
