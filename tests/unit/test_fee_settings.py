"""The fees of 設定 are the numbers 一括更新 uses (SPEC B1): change a payment method's fee (and its
amount tiers), create a delivery company with a prefecture fee and 送料無料, set a product's own fee —
then a 一括更新 of 支払方法 / 配送業者 gives every order exactly those fees. And a status created in
対応状況管理, set by a 自動化設定 rule, from the change to the drained rule run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.automation.engine import drain
from ecweb_core.automation.rules import create_rule, list_rules, set_enabled
from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.masters import delivery, payment, products, statuses
from ecweb_core.masters.delivery import CompanyForm
from ecweb_core.masters.payment import MethodFeeForm
from ecweb_core.models import (
    AutomationRun,
    Customer,
    Job,
    Operator,
    Order,
    OrderEvent,
    OrderItem,
    PaymentMethod,
    Product,
)
from ecweb_core.selection import Selection
from ecweb_core.statuses import CONFIRMED
from tests.conftest import DEMO_NOW
from tests.fee_oracle import expected_payment_fee, expected_shipping_fee


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 300, seed=17, now=DEMO_NOW)
    yield empty_engine


def _bulk(engine: Engine, ids: list[int], form: dict[str, Any]) -> Job:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job_id = register_job(s, "bulk_update", op, Selection(ticked=set(ids)), form).id  # type: ignore[arg-type]
    run_job(engine, job_id, chunk_size=11)  # type: ignore[arg-type]
    with Session(engine) as s:
        return s.get(Job, job_id)  # type: ignore[return-value]


def _orders(s: Session, *where: Any, limit: int = 4) -> list[int]:
    return list(s.execute(select(Order.id).where(*where).order_by(Order.id).limit(limit)).scalars())


def _with_own(column: Any) -> Any:
    own = select(Product.id).where(column.is_not(None))
    return select(OrderItem.order_id).where(OrderItem.product_id.in_(own))


def test_a_changed_payment_fee_is_what_bulk_update_uses(engine: Engine) -> None:
    with engine.begin() as conn:
        bank = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "bank")).scalar_one()
        # 銀行振込: ¥200, ¥300 from ¥5,000, free from ¥20,000 (typed as an operator would).
        payment.save_method_fees(conn, bank, MethodFeeForm(fee="200", tiers=[["5,000", "300円"], ["20000", "0"]]))
        special = conn.execute(select(Product.id).where(Product.code == "SKN-002")).scalar_one()
        products.set_product_fee(conn, "payment", special, "120")
    with Session(engine) as s:
        base = (Order.payment_status != "captured", Order.payment_method_id != bank)
        plain = Order.id.not_in(_with_own(Product.payment_fee))
        small = _orders(s, *base, plain, Order.subtotal < 5000)
        middle = _orders(s, *base, plain, Order.subtotal >= 5000, Order.subtotal < 20000)
        large = _orders(s, *base, plain, Order.subtotal >= 20000, limit=2)
        own = _orders(s, *base, Order.id.in_(select(OrderItem.order_id).where(OrderItem.product_id == special)))
        assert small and middle and large and own
    ids = small + middle + large + own
    job = _bulk(engine, ids, {"payment_method_id": str(bank)})
    assert (job.succeeded, job.failed) == (len(set(ids)), 0)
    with Session(engine) as s:
        got = {o.id: o for o in s.execute(select(Order).where(Order.id.in_(ids))).scalars()}
        assert {got[i].payment_fee for i in small} == {200}
        assert {got[i].payment_fee for i in middle} == {300}
        assert {got[i].payment_fee for i in large} == {0}
        assert {got[i].payment_fee for i in own} == {120}  # the product's own fee wins (the highest own)
        for o in got.values():
            assert o.payment_fee == expected_payment_fee(s, o)
            assert o.total == o.subtotal + o.shipping_fee + o.payment_fee - o.points_used


def test_a_new_company_with_prefecture_fee_and_free_shipping_is_what_bulk_update_uses(engine: Engine) -> None:
    with engine.begin() as conn:
        form = CompanyForm(name="西濃運輸", fee="800", free_from="15000", prefecture_fees=[["北海道", "1500"]])
        company = delivery.save_company(conn, None, form)
        special = conn.execute(select(Product.id).where(Product.code == "SUP-004")).scalar_one()
        products.set_product_fee(conn, "shipping", special, "350")
    hokkaido = select(Customer.id).where(Customer.prefecture == "北海道")
    with Session(engine) as s:
        base = (Order.payment_status != "captured",)
        plain = Order.id.not_in(_with_own(Product.shipping_fee))
        below = Order.subtotal < 15000
        elsewhere = _orders(s, *base, plain, below, Order.customer_id.not_in(hokkaido))
        north = _orders(s, *base, plain, below, Order.customer_id.in_(hokkaido))
        free = _orders(s, *base, plain, Order.subtotal >= 15000, limit=3)
        own_only = Order.id.not_in(
            select(OrderItem.order_id).where(
                OrderItem.product_id.in_(
                    select(Product.id).where(Product.shipping_fee.is_not(None), Product.id != special)
                )
            )
        )
        own = _orders(
            s, *base, own_only, Order.id.in_(select(OrderItem.order_id).where(OrderItem.product_id == special))
        )
        assert elsewhere and north and free and own
    ids = elsewhere + north + free + own
    job = _bulk(engine, ids, {"delivery_company_id": str(company)})
    assert job.failed == 0
    with Session(engine) as s:
        got = {o.id: o for o in s.execute(select(Order).where(Order.id.in_(ids))).scalars()}
        assert {got[i].delivery_company_id for i in ids} == {company}
        assert {got[i].shipping_fee for i in elsewhere} == {800}
        assert {got[i].shipping_fee for i in north} == {1500}
        assert {got[i].shipping_fee for i in free} == {0}
        assert {got[i].shipping_fee for i in own} == {350}
        for o in got.values():
            assert o.shipping_fee == expected_shipping_fee(s, o)
            assert o.total == o.subtotal + o.shipping_fee + o.payment_fee - o.points_used
    # The fee is read when the job runs: a later change applies to the next job, not to these orders.
    with engine.begin() as conn:
        delivery.save_company(conn, company, CompanyForm(name="西濃運輸", fee="900"))
    with Session(engine) as s:
        assert {s.get(Order, i).shipping_fee for i in elsewhere} == {800}  # type: ignore[union-attr]


def test_a_status_from_status_management_set_by_a_rule(engine: Engine) -> None:
    """The seed's example: 受注の出荷リストが「出力済み」になったとき → 対応状況を変更する → 発送準備中,
    with 発送準備中 created in 対応状況管理 first."""
    with engine.begin() as conn:
        preparing = statuses.create_status(conn, "発送準備中")
        rule_id = create_rule(conn, {"event": "shipping_list", "action": "change_status", "param": str(preparing)})
        set_enabled(conn, rule_id, True)
        assert [r.param for r in list_rules(conn)] == ["発送準備中"]
    with Session(engine) as s:
        ids = _orders(s, Order.shipping_list_exported.is_(False), Order.ordered_at.is_not(None), limit=5)
        s.execute(update(Order).where(Order.id.in_(ids)).values(status_id=CONFIRMED))
        s.commit()
    _bulk(engine, ids, {"shipping_list": "exported"})
    drain(engine)
    with Session(engine) as s:
        assert {s.get(Order, i).status_id for i in ids} == {preparing}  # type: ignore[union-attr]
        changed = s.execute(
            select(OrderEvent.order_id, OrderEvent.value, OrderEvent.source).where(
                OrderEvent.kind == "status_changed", OrderEvent.order_id.in_(ids)
            )
        ).all()
        assert sorted(changed) == sorted((i, "発送準備中", f"rule:{rule_id}") for i in ids)
        runs = s.execute(select(AutomationRun.outcome, AutomationRun.message).where(AutomationRun.rule_id == rule_id))
        assert set(runs.all()) == {("ok", "対応状況を「発送準備中」に変更しました。")}
    # While the rule names it, the status can be renamed (the rule follows) but not deleted.
    with engine.begin() as conn:
        statuses.rename_status(conn, preparing, "出荷準備中")
        assert [r.param for r in list_rules(conn)] == ["出荷準備中"]
    with pytest.raises(FormError), engine.begin() as conn:
        statuses.delete_status(conn, preparing)
