from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from ecweb_core import auth
from ecweb_core.demo import DEMO_LOGIN, DEMO_PASSWORD, generate, has_orders
from ecweb_core.models import Order, OrderItem, OrderStatus
from ecweb_core.statuses import SYSTEM_ORDER_STATUSES
from tests.conftest import DEMO_NOW
from tests.fee_oracle import expected_payment_fee, expected_shipping_fee


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_demo_data_is_consistent(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        assert s.execute(select(func.count()).select_from(Order)).scalar_one() == 600
        statuses = dict(s.execute(select(OrderStatus.id, OrderStatus.name)).all())
        assert all(statuses[i] == name for i, name in SYSTEM_ORDER_STATUSES.items())
        for order in s.execute(select(Order)).scalars():
            items = s.execute(select(OrderItem).where(OrderItem.order_id == order.id)).scalars().all()
            assert items
            assert order.subtotal == sum(i.unit_price * i.quantity for i in items)
            assert order.total == order.subtotal + order.shipping_fee + order.payment_fee - order.points_used
            # The demo's fees come from its sample settings, by the same rules as 一括更新's.
            assert order.payment_fee == expected_payment_fee(s, order)
            assert order.shipping_fee == expected_shipping_fee(s, order)
            for stamp in (order.ordered_at, order.shipped_at, order.delivered_at):
                assert stamp is None or stamp <= DEMO_NOW
            if order.delivered_at:
                assert order.shipped_at and order.shipped_at <= order.delivered_at
        used = {sid for (sid,) in s.execute(select(Order.status_id).distinct())}
        assert set(SYSTEM_ORDER_STATUSES) - {99} <= used
        op = auth.login(s, DEMO_LOGIN, DEMO_PASSWORD)
        assert op is not None


def test_generate_appends_after_existing_orders(empty_engine: Engine) -> None:
    assert not has_orders(empty_engine)
    generate(empty_engine, 30, seed=1, now=DEMO_NOW)
    generate(empty_engine, 20, seed=2, now=DEMO_NOW)
    with Session(empty_engine) as s:
        numbers = [n for (n,) in s.execute(select(Order.number).order_by(Order.id))]
    assert len(numbers) == len(set(numbers)) == 50
    assert has_orders(empty_engine)
