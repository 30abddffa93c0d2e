"""定期受注を再計算する on real databases: each subscription's next delivery priced by its own
delivery count, with that delivery's 同梱品, in one set-based pass over several subscriptions."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from ecweb_core.demo import generate
from ecweb_core.models import Product, ProductPrice, Subscription, SubscriptionItem
from ecweb_core.subscriptions.changes import count_down, recalculate
from tests.conftest import DEMO_NOW


def _product(conn, code: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    row = conn.execute(select(Product.id, Product.price).where(Product.code == code)).one()
    return row.id, row.price


def _by_subscription(conn, column, subs: list[int]) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {i: v for i, v in conn.execute(select(Subscription.id, column).where(Subscription.id.in_(subs)))}


def test_recalculate_prices_each_subscription_by_its_own_next_delivery(empty_engine: Engine) -> None:
    generate(empty_engine, 40, seed=2, now=DEMO_NOW)
    with empty_engine.begin() as conn:
        skn, _ = _product(conn, "SKN-001")  # 初回 1980, 2回目以降 3980; 2回目の同梱品 SMP-001
        sup, sup_price = _product(conn, "SUP-003")  # from the 3rd delivery 2980, else its price
        subs = list(conn.execute(select(Subscription.id).order_by(Subscription.id).limit(4)).scalars())
        conn.execute(delete(SubscriptionItem).where(SubscriptionItem.subscription_id.in_(subs)))
        plan = [(subs[0], 0, skn, 1), (subs[1], 1, skn, 3), (subs[2], 1, sup, 2), (subs[3], 5, sup, 1)]
        for sub_id, count, product, qty in plan:
            conn.execute(update(Subscription).where(Subscription.id == sub_id).values(delivery_count=count))
            conn.execute(SubscriptionItem.__table__.insert().values(subscription_id=sub_id, product_id=product,
                                                                    quantity=qty, unit_price=1))  # fmt: skip
        recalculate(conn, subs)
        rows = conn.execute(
            select(SubscriptionItem.subscription_id, SubscriptionItem.unit_price, SubscriptionItem.quantity,
                   SubscriptionItem.bundled)
            .where(SubscriptionItem.subscription_id.in_(subs))
            .order_by(SubscriptionItem.subscription_id, SubscriptionItem.bundled)
        ).all()  # fmt: skip
        totals = _by_subscription(conn, Subscription.next_subtotal, subs)
        assert conn.execute(select(ProductPrice.price).where(ProductPrice.product_id == sup)).scalars().all() == [2980]
    assert [tuple(r) for r in rows] == [
        (subs[0], 1980, 1, False),  # next = 1st: 初回
        (subs[1], 3980, 3, False),  # next = 2nd: 2回目以降 …
        (subs[1], 0, 3, True),  # … with the 2nd delivery's 同梱品, as many as the item
        (subs[2], sup_price, 2, False),  # next = 2nd: before the 3rd-delivery price
        (subs[3], 2980, 1, False),  # next = 6th
    ]
    assert totals == {subs[0]: 1980, subs[1]: 11940, subs[2]: 2 * sup_price, subs[3]: 2980}
    with empty_engine.begin() as conn:  # again: the same result (bundles replaced, not added)
        count_down(conn, [subs[0], subs[1]])
        recalculate(conn, subs)
        counts = _by_subscription(conn, Subscription.delivery_count, subs)
        items = SubscriptionItem.subscription_id.in_(subs)
        n_items = len(conn.execute(select(SubscriptionItem.id).where(items)).all())
    assert counts[subs[0]] == 0 and counts[subs[1]] == 0  # never below 0
    assert n_items == 4  # subs[1]'s next is the 1st now: no 同梱品
