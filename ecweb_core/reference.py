"""The choice lists the search form, bulk forms and 受注詳細 offer (id, label), in display order.

Two views of each list: what the grid may filter on (everything, a disabled entry marked 「(無効)」,
since orders keep it) and what may be set now (enabled entries only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core.masters import delivery, reasons, statuses
from ecweb_core.masters import labels as label_master
from ecweb_core.models import DeliveryCompany, Label, OrderStatus, PaymentMethod
from ecweb_core.statuses import PAYMENT_STATUSES

Choice = tuple[str, str]
DISABLED = "(無効)"


def _conn(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def order_statuses(session: Session | Connection, assignable: bool = False) -> list[Choice]:
    if assignable:
        return [(str(i), n) for i, n in statuses.assignable_statuses(_conn(session))]
    rows = session.execute(
        select(OrderStatus.id, OrderStatus.name, OrderStatus.enabled).order_by(OrderStatus.position, OrderStatus.id)
    )
    return [(str(i), n if on else n + DISABLED) for i, n, on in rows]


def payment_methods(session: Session | Connection) -> list[Choice]:
    rows = session.execute(select(PaymentMethod.id, PaymentMethod.name).order_by(PaymentMethod.position))
    return [(str(i), n) for i, n in rows]


def delivery_companies(session: Session | Connection, assignable: bool = False) -> list[Choice]:
    if assignable:
        return [(str(i), n) for i, n in delivery.assignable_companies(_conn(session))]
    rows = session.execute(
        select(DeliveryCompany.id, DeliveryCompany.name, DeliveryCompany.enabled).order_by(
            DeliveryCompany.position, DeliveryCompany.id
        )
    )
    return [(str(i), n if on else n + DISABLED) for i, n, on in rows]


def labels(session: Session | Connection, assignable: bool = False) -> list[Choice]:
    if assignable:
        return [(str(i), n) for i, n, _ in label_master.assignable_labels(_conn(session))]
    rows = session.execute(select(Label.id, Label.name, Label.enabled).order_by(Label.position, Label.id))
    return [(str(i), n if on else n + DISABLED) for i, n, on in rows]


def label_colors(session: Session | Connection) -> list[Choice]:
    return [(str(i), c) for i, c in session.execute(select(Label.id, Label.color))]


def reason_choices(session: Session | Connection, kind: str) -> list[Choice]:
    return [(n, n) for n in reasons.reasons_of(session, kind)]


def payment_statuses() -> list[Choice]:
    return list(PAYMENT_STATUSES.items())
