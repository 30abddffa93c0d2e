"""The 定期受注 engine's daily run: N active card subscriptions due on one day (default 100,000), each
one order created — items at the price for its delivery count, 同梱品, fees, events, 定期回数 + 1,
next dates advanced — and authorized through the gateway against the sandbox provider at latency 0.

Next to it, on an identical copy of the database: ONE bare INSERT … SELECT creating the same order
rows from the same subscriptions (no items, fees, events, advance or authorization) — the floor of
writing the orders at all. Prints orders/s for both, the ratio, the split of our run (creation vs
authorization) and the checks: one order per subscription, every one authorized once.

    python bench/subscriptions.py [--subscriptions 100000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Integer, String, bindparam, func, insert, literal, select, text, update
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.payment import start_provider  # noqa: E402
from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import (  # noqa: E402
    Customer,
    Order,
    PaymentMethod,
    Product,
    ShopSettings,
    Subscription,
    SubscriptionItem,
)
from ecweb_core.models.common import JST  # noqa: E402
from ecweb_core.payments.gateway import AuthorizeRequest, SandboxGateway  # noqa: E402
from ecweb_core.settings import load_settings  # noqa: E402
from ecweb_core.statuses import CONFIRMED  # noqa: E402
from ecweb_core.subscriptions import engine as subscription_engine  # noqa: E402

DAY = date(2026, 12, 10)
NOW = datetime(2026, 12, 10, 5, 0, tzinfo=JST)  # after the shop's run time (04:00)
SUBS, ORDERS = Subscription.__table__, Order.__table__


def build(engine: Engine, n: int) -> None:
    """The demo's masters and customers, its own subscriptions paused, and N card subscriptions due
    on DAY (set-based: a recursive counter, no Python loop over rows)."""
    upgrade(engine)
    generate(engine, 2000, seed=11)
    with engine.begin() as conn:
        conn.execute(update(SUBS).values(status="paused"))
        conn.execute(update(ShopSettings.__table__).values(auto_order_days_before=0, subscription_run_time="04:00"))
        credit = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        product = conn.execute(select(Product.id).where(Product.code == "SKN-001")).scalar_one()
        first = int(conn.execute(select(func.max(SUBS.c.id))).scalar_one()) + 1
        conn.execute(
            text(
                "INSERT INTO subscriptions (id, customer_id, payment_method_id, delivery_company_id, cycle_kind,"
                " cycle_count, cycle_day, next_ship_date, next_delivery_date, status, delivery_count, next_subtotal,"
                " needs_attention, created_at)"
                " WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < :n)"
                " SELECT :first + i, 1 + (i % :customers), :credit, 1, 'month_day', 1, 10, :ship, :day, 'active',"
                " 1 + (i % 6), 3980, false, :now FROM k"
            ).bindparams(
                bindparam("now", type_=SUBS.c.created_at.type),
                bindparam("ship", type_=SUBS.c.next_ship_date.type),
                bindparam("day", type_=SUBS.c.next_delivery_date.type),
            ),
            {"n": n, "first": first, "customers": customers, "credit": credit, "ship": DAY - timedelta(days=2),
             "day": DAY, "now": NOW},
        )  # fmt: skip
        conn.execute(
            insert(SubscriptionItem.__table__).from_select(
                ["subscription_id", "product_id", "quantity", "unit_price", "bundled"],
                select(
                    SUBS.c.id, literal(product, Integer), literal(1, Integer), literal(3980, Integer), literal(False)
                ).where(SUBS.c.id >= first),
            )  # fmt: skip
        )
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('subscriptions', 'id'), "
                              "(SELECT max(id) FROM subscriptions))"))  # fmt: skip
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def ours(engine: Engine) -> tuple[float, float, float]:
    """The engine's run for DAY; returns (total, creation, authorization) seconds."""
    spent: dict[str, float] = {}
    real = subscription_engine.authorize_pending

    def timed(e: Engine) -> int:
        started = time.perf_counter()
        try:
            return real(e)
        finally:
            spent["authorize"] = time.perf_counter() - started

    subscription_engine.authorize_pending = timed  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        subscription_engine.run_for(engine, DAY, NOW)
        total = time.perf_counter() - started
    finally:
        subscription_engine.authorize_pending = real  # type: ignore[assignment]
    return total, total - spent["authorize"], spent["authorize"]


def bare_insert(engine: Engine) -> float:
    """The same order rows, one INSERT … SELECT, nothing else."""
    s = SUBS.c
    rows = select(
        literal("S") + s.id.cast(String) + literal("-") + s.next_delivery_date.cast(String),
        s.customer_id, s.id, s.payment_method_id, s.delivery_company_id, literal(CONFIRMED, Integer),
        literal("auth_requested", String), literal(NOW, ORDERS.c.ordered_at.type), s.next_ship_date,
        s.next_delivery_date, s.next_delivery_date, s.next_subtotal, s.next_subtotal,
        literal(NOW, ORDERS.c.created_at.type), literal(NOW, ORDERS.c.updated_at.type),
    ).where(s.status == "active", s.next_delivery_date <= DAY)  # fmt: skip
    columns = ["number", "customer_id", "subscription_id", "payment_method_id", "delivery_company_id", "status_id",
               "payment_status", "ordered_at", "scheduled_ship_date", "scheduled_delivery_date",
               "subscription_cycle_date", "subtotal", "total", "created_at", "updated_at"]  # fmt: skip
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(ORDERS).from_select(columns, rows))
    return time.perf_counter() - started


def authorization_floor(n: int, provider_url: str) -> float:
    """The provider's own limit: N card authorizations through the gateway client with the same number
    in flight, nothing of ours around them (a fresh provider, so no idempotent replays)."""
    gateway = SandboxGateway(provider_url, 30.0)
    in_flight = load_settings().payment_in_flight

    def one(i: int) -> None:
        gateway.authorize(AuthorizeRequest("card", f"FLOOR{i:08d}", 3980, f"customer-{i}"), f"floor:{i}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - started


def checks(engine: Engine, provider_url: str) -> dict[str, Any]:
    with engine.connect() as conn:
        per_sub = conn.execute(
            select(func.count()).select_from(
                select(ORDERS.c.subscription_id).where(ORDERS.c.subscription_cycle_date == DAY)
                .group_by(ORDERS.c.subscription_id).having(func.count() > 1).subquery()
            )
        ).scalar_one()  # fmt: skip
        statuses = dict(
            conn.execute(
                select(ORDERS.c.payment_status, func.count())
                .where(ORDERS.c.subscription_cycle_date == DAY)
                .group_by(ORDERS.c.payment_status)
            ).all()
        )
    ops = httpx.get(f"{provider_url}/_sandbox/operations", timeout=60).json()["operations"]
    per_order = Counter(o["n"] for o in ops if o["kind"] == "authorize" and o["order_number"].startswith("EC"))
    return {
        "subscriptions with 2+ orders": per_sub,
        "payment statuses": statuses,
        "authorizations/order": dict(per_order),
    }


def copy_db(engine: Engine, name: str, tmp: Path, admin: Engine | None) -> Engine:
    if admin is None:
        src = Path(engine.url.database or "")
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{src}{suffix}").exists():
                shutil.copy(f"{src}{suffix}", tmp / f"{name}.db{suffix}")
        return make_engine(f"sqlite:///{tmp / f'{name}.db'}")
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {engine.url.database}"))
    return make_engine(engine.url.set(database=name).render_as_string(hide_password=False))


def run(label: str, engine: Engine, n: int, tmp: Path, admin: Engine | None) -> None:
    build(engine, n)
    baseline_engine = copy_db(engine, "ecweb_bench_subs_bare" if admin else "bare", tmp, admin)
    proc, url = start_provider(tmp / f"provider-{label}.db", 0)
    os.environ["PAYMENT_PROVIDER_URL"] = url
    try:
        total, create, authorize = ours(engine)
        result = checks(engine, url)
    finally:
        proc.terminate()
        proc.wait()
    proc, url = start_provider(tmp / f"floor-provider-{label}.db", 0)
    try:
        floor = authorization_floor(n, url)
    finally:
        proc.terminate()
        proc.wait()
    bare = bare_insert(baseline_engine)
    with baseline_engine.connect() as conn:
        bare_rows = conn.execute(select(func.count()).where(ORDERS.c.subscription_cycle_date == DAY)).scalar_one()
    with engine.connect() as conn:
        created = conn.execute(select(func.count()).where(ORDERS.c.subscription_cycle_date == DAY)).scalar_one()
    print(f"{label}: {n:,} active card subscriptions due {DAY}, sandbox latency 0")
    print(f"  ours (engine run, authorization included) {total:8.2f} s  {created / total:9,.0f} orders/s  "
          f"(creation {create:.2f} s = {created / create:,.0f}/s, authorization {authorize:.2f} s = "
          f"{created / authorize:,.0f}/s)")  # fmt: skip
    print(f"  bare INSERT … SELECT of the order rows    {bare:8.2f} s  {bare_rows / bare:9,.0f} orders/s")
    print(f"  authorization floor (gateway client only)  {floor:8.2f} s  {n / floor:9,.0f} orders/s"
          f"  (in flight {load_settings().payment_in_flight})")  # fmt: skip
    print(f"  ratio: ours takes {total / bare:.1f}× the bare insert ({create / bare:.1f}× for the creation alone)")
    print(f"  ratio: our authorization runs at {floor / authorize:.0%} of the provider floor's rate;"
          f" the whole run at {(bare + floor) / total:.0%} of bare insert + floor")  # fmt: skip
    print(f"  checks: created {created:,}, bare {bare_rows:,}, {result}")
    engine.dispose()
    baseline_engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-subs-"))
    try:
        run("sqlite", make_engine(f"sqlite:///{tmp / 'ours.db'}"), args.subscriptions, tmp, None)
        if args.postgres:
            admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_subs"))
                conn.execute(text("CREATE DATABASE ecweb_bench_subs"))
            url = args.postgres.rsplit("/", 1)[0] + "/ecweb_bench_subs"
            run("PostgreSQL", make_engine(url), args.subscriptions, tmp, admin)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
