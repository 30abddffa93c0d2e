"""設定's fee rules in 一括更新, and the 設定 list screens, on N orders.

1. 支払方法 + 配送業者 changed on N orders through the job runner, the fees recomputed from 設定
   (amount tiers of 代金引換, prefecture fees and 送料無料 of ヤマト運輸, products' own fees), next to:
   - the floor: the bare UPDATE of the same five columns in the same chunks with constant fees
     (what an implementation that ignores the fee rules would write), and
   - a naive ORM loop computing each order's fees in Python (settings cached, the order's products
     and customer loaded per order), on a sample, compared by rate.
2. The queries behind 対応状況管理 / 受注ラベル管理 / 理由管理 / 配送/送料設定 (usage counts
   included), next to the floor of any usage count: one pass over the status index
   (`SELECT status_id, count(*) FROM orders GROUP BY status_id`).

    python bench/fees.py --orders 100000 [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
    python bench/fees.py --orders 1000000 --lists-only
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.jobs.register import register_job  # noqa: E402
from ecweb_core.jobs.runner import run_job  # noqa: E402
from ecweb_core.masters import delivery, labels, reasons, statuses  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import (  # noqa: E402
    Customer,
    DeliveryCompany,
    Operator,
    Order,
    OrderItem,
    PaymentFeeTier,
    PaymentMethod,
    PrefectureShippingFee,
    Product,
)
from ecweb_core.models.common import utcnow  # noqa: E402
from ecweb_core.search import OrderFilter  # noqa: E402
from ecweb_core.selection import Selection  # noqa: E402

NAIVE_SAMPLE = 20_000


def ours(engine: Engine, operator_id: int, method: int, company: int, chunk: int) -> float:
    form = {"payment_method_id": str(method), "delivery_company_id": str(company)}
    started = time.perf_counter()
    with Session(engine) as s:
        sel = Selection(filter=OrderFilter(), all_results=True)
        job_id = register_job(s, "bulk_update", operator_id, sel, form).id
    summary = run_job(engine, int(job_id or 0), chunk_size=chunk)
    elapsed = time.perf_counter() - started
    assert summary.status == "done" and summary.failed == 0, summary
    return elapsed


def floor(engine: Engine, ids: list[int], chunk: int, method: int, company: int) -> float:
    o = Order.__table__.c
    started = time.perf_counter()
    for i in range(0, len(ids), chunk):
        with engine.begin() as conn:
            conn.execute(
                update(Order)
                .where(Order.id.between(ids[i], ids[min(i + chunk, len(ids)) - 1]))  # type: ignore[attr-defined]
                .values(
                    payment_method_id=method,
                    delivery_company_id=company,
                    payment_fee=330,
                    shipping_fee=600,
                    total=o.subtotal + 930 - o.points_used,
                    updated_at=utcnow(),
                )
            )
    return time.perf_counter() - started


def naive(engine: Engine, ids: list[int], method: int, company: int) -> float:
    """The fee rules in Python, one order at a time (the settings read once)."""
    started = time.perf_counter()
    with Session(engine) as s:
        pm, dc = s.get(PaymentMethod, method), s.get(DeliveryCompany, company)
        assert pm is not None and dc is not None
        tiers = sorted(
            s.execute(select(PaymentFeeTier).where(PaymentFeeTier.payment_method_id == method)).scalars(),
            key=lambda t: -t.min_amount,
        )
        prefs = {
            p.prefecture: p.fee
            for p in s.execute(
                select(PrefectureShippingFee).where(PrefectureShippingFee.delivery_company_id == company)
            ).scalars()
        }
        for n, order_id in enumerate(ids, 1):
            order = s.get(Order, order_id)
            assert order is not None
            products = s.execute(
                select(Product)
                .join(OrderItem, OrderItem.product_id == Product.id)
                .where(OrderItem.order_id == order_id)
            ).scalars()
            own_pay, own_ship = [], []
            for p in products:
                if p.payment_fee is not None:
                    own_pay.append(p.payment_fee)
                if p.shipping_fee is not None:
                    own_ship.append(p.shipping_fee)
            customer = s.get(Customer, order.customer_id)
            tier = next((t.fee for t in tiers if order.subtotal >= t.min_amount), pm.fee)
            if own_ship:
                ship = max(own_ship)
            elif dc.free_shipping_from is not None and order.subtotal >= dc.free_shipping_from:
                ship = 0
            else:
                ship = prefs.get(customer.prefecture if customer else "", dc.fee)
            order.payment_method_id, order.delivery_company_id = method, company
            order.payment_fee = max(own_pay) if own_pay else tier
            order.shipping_fee = ship
            order.total = order.subtotal + order.shipping_fee + order.payment_fee - order.points_used
            order.updated_at = utcnow()
            if n % 1000 == 0:
                s.commit()
        s.commit()
    return time.perf_counter() - started


def best_ms(fn: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def lists(engine: Engine) -> None:
    with engine.connect() as conn:
        o = Order.__table__.c
        t_floor = best_ms(lambda: conn.execute(select(o.status_id, func.count()).group_by(o.status_id)).all())
        screens = {
            "対応状況管理 (list_statuses)": lambda: statuses.list_statuses(conn),
            "受注ラベル管理 (list_labels)": lambda: labels.list_labels(conn),
            "理由管理 要対応理由 (list_reasons)": lambda: reasons.list_reasons(conn, reasons.ATTENTION),
            "理由管理 停止理由 (list_reasons)": lambda: reasons.list_reasons(conn, reasons.STOP),
            "配送/送料設定 (list_companies)": lambda: delivery.list_companies(conn),
        }
        print(f"  floor: orders counted per status (GROUP BY)  {t_floor:8.1f} ms")
        for name, fn in screens.items():
            t = best_ms(fn)
            print(f"  {name:<40} {t:8.1f} ms  ({t / t_floor:.2f}× the floor)")


def run(label: str, url: str, orders: int, lists_only: bool) -> None:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    generate(engine, orders, seed=7)
    print(f"\n{label}: {orders:,} orders generated in {time.perf_counter() - started:.1f} s")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    print("設定 list screens (best of 5):")
    lists(engine)
    if lists_only:
        engine.dispose()
        return
    with Session(engine) as s:
        s.execute(update(Order).values(payment_status="authorized"))  # every order may change method
        s.commit()
        operator_id = int(s.execute(select(Operator.id)).scalars().first() or 0)
        ids = list(s.execute(select(Order.id).order_by(Order.id)).scalars())
        cod = s.execute(select(PaymentMethod.id).where(PaymentMethod.code == "cod")).scalar_one()
        bank = s.execute(select(PaymentMethod.id).where(PaymentMethod.code == "bank")).scalar_one()
        yamato = s.execute(select(DeliveryCompany.id).where(DeliveryCompany.name == "ヤマト運輸")).scalar_one()
        sagawa = s.execute(select(DeliveryCompany.id).where(DeliveryCompany.name == "佐川急便")).scalar_one()
    chunk = 5000 if url.startswith("sqlite") else 1000
    t_ours = ours(engine, operator_id, cod, yamato, chunk)
    t_floor = floor(engine, ids, chunk, bank, sagawa)
    sample = ids[:NAIVE_SAMPLE]
    t_naive = naive(engine, sample, cod, yamato)
    engine.dispose()
    rate_ours, rate_floor, rate_naive = orders / t_ours, orders / t_floor, len(sample) / t_naive
    print(f"一括更新 支払方法 + 配送業者 with the fee rules, {chunk:,} orders/chunk:")
    print(f"  ours  (job runner, fees from 設定):          {t_ours:7.2f} s  {rate_ours:>10,.0f} orders/s")
    print(f"  floor (bare UPDATE, constant fees):         {t_floor:7.2f} s  {rate_floor:>10,.0f} orders/s")
    print(f"  naive (ORM, fees in Python, {len(sample):,} orders): {t_naive:7.2f} s  {rate_naive:>10,.0f} orders/s")
    print(f"  ratio ours / naive: {rate_ours / rate_naive:.1f}× faster")
    print(f"  ratio ours / floor: {rate_ours / rate_floor:.0%} of the bare UPDATE's rate")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--lists-only", action="store_true", help="only the 設定 list screens' queries")
    args = parser.parse_args()
    os.environ.setdefault("ECWEB_JOB_FILES_DIR", tempfile.mkdtemp(prefix="ecweb-bench-fees-"))
    with tempfile.TemporaryDirectory(prefix="ecweb-bench-fees-") as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'fees.db'}", args.orders, args.lists_only)
    if args.postgres:
        admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_fees WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE ecweb_bench_fees"))
        try:
            run("PostgreSQL", args.postgres.rsplit("/", 1)[0] + "/ecweb_bench_fees", args.orders, args.lists_only)
        finally:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_fees WITH (FORCE)"))


if __name__ == "__main__":
    main()
