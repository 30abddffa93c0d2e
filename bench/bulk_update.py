"""一括更新 throughput: a status + label + date update of N orders through the job runner
(set-based, the default chunk size of each database), next to a naive per-order ORM loop doing the
same changes on the same data in the same run, and to the floor: the bare UPDATE of the same three
columns in the same chunks, with nothing else (no events, labels, outcomes, registration or result
file), with and without the two grid indexes that UPDATE must maintain. Prints orders/s and the
ratios, on SQLite and (when given) PostgreSQL.

    python bench/bulk_update.py --orders 100000 [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.jobs.bulk_update_params import to_datetime  # noqa: E402
from ecweb_core.jobs.register import register_job  # noqa: E402
from ecweb_core.jobs.runner import run_job  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import Label, Operator, Order, OrderEvent, OrderLabel, OrderStatus  # noqa: E402
from ecweb_core.models.common import utcnow  # noqa: E402
from ecweb_core.search import OrderFilter  # noqa: E402
from ecweb_core.selection import Selection  # noqa: E402
from ecweb_core.statuses import CONFIRMED, DELIVERED, SHIPPED  # noqa: E402


def floor(engine: Engine, ids: list[int], chunk: int) -> float:
    """The bare UPDATE of the columns the job changes, chunk by chunk: what the indexes alone cost."""
    started = time.perf_counter()
    shipped = to_datetime("2026-11-19")
    for i in range(0, len(ids), chunk):
        with engine.begin() as conn:
            conn.execute(
                update(Order)
                .where(Order.id.between(ids[i], ids[min(i + chunk, len(ids)) - 1]))  # type: ignore[attr-defined]
                .values(status_id=CONFIRMED, shipped_at=shipped, updated_at=utcnow())
            )
    return time.perf_counter() - started


def ours(engine: Engine, operator_id: int, label_id: int, chunk: int) -> float:
    form = {
        "status_id": str(SHIPPED),
        "label_ids": [str(label_id)],
        "shipped_at_mode": "set",
        "shipped_at": "2026-11-20",
    }
    started = time.perf_counter()
    with Session(engine) as s:
        job_id = register_job(s, "bulk_update", operator_id, Selection(filter=OrderFilter(), all_results=True), form).id
    summary = run_job(engine, int(job_id or 0), chunk_size=chunk)
    elapsed = time.perf_counter() - started
    assert summary.status == "done" and summary.failed == 0, summary
    return elapsed


def naive(engine: Engine, operator_id: int, label_id: int, ids: list[int]) -> float:
    """What a straightforward ORM implementation does: load, modify, flush, one order at a time."""
    started = time.perf_counter()
    status_name = "配送完了"
    shipped = to_datetime("2026-11-21")
    with Session(engine) as s:
        for n, order_id in enumerate(ids, 1):
            order = s.get(Order, order_id)
            assert order is not None
            if order.status_id != DELIVERED:
                s.add(OrderEvent(order_id=order_id, kind="status_changed", value=status_name, operator_id=operator_id))
            order.status_id = DELIVERED
            order.shipped_at = shipped
            order.updated_at = utcnow()
            if s.get(OrderLabel, (order_id, label_id)) is None:
                s.add(OrderLabel(order_id=order_id, label_id=label_id))
            s.add(OrderEvent(order_id=order_id, kind="shipped_at_set", value="2026-11-21", operator_id=operator_id))
            if n % 1000 == 0:
                s.commit()
        s.commit()
    return time.perf_counter() - started


def run(label: str, url: str, orders: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, orders, seed=7)
    with Session(engine) as s:
        operator_id = int(s.execute(select(Operator.id)).scalars().first() or 0)
        labels = s.execute(select(Label.id).order_by(Label.id)).scalars().all()
        ids = list(s.execute(select(Order.id).order_by(Order.id)).scalars())
        assert s.get(OrderStatus, SHIPPED) is not None
    chunk = 5000 if url.startswith("sqlite") else 1000  # ecweb_core.settings' default per database
    t_ours = ours(engine, operator_id, labels[0], chunk)
    t_floor = floor(engine, ids, chunk)
    t_naive = naive(engine, operator_id, labels[1], ids)
    # The same bare UPDATE once the two grid indexes it must maintain are gone: what they cost.
    with engine.begin() as conn:
        for name in ("ix_orders_status_ordered", "ix_orders_shipped_at"):
            conn.execute(text(f"DROP INDEX {name}"))
    t_bare = floor(engine, ids, chunk)
    engine.dispose()
    print(f"\n{label}: {orders:,} orders, status + label + 発送完了日, {chunk:,} orders/chunk")
    print(f"  ours  (job runner, set-based):           {t_ours:7.2f} s  {orders / t_ours:>10,.0f} orders/s")
    print(f"  floor (bare UPDATE of the 3 columns):    {t_floor:7.2f} s  {orders / t_floor:>10,.0f} orders/s")
    print(f"  naive (ORM get/modify/flush per order):  {t_naive:7.2f} s  {orders / t_naive:>10,.0f} orders/s")
    print(f"  floor without the status / 発送完了日 grid indexes: {t_bare:7.2f} s  {orders / t_bare:>10,.0f} orders/s")
    print(f"  ratio ours / naive: {t_naive / t_ours:.1f}× faster")
    print(f"  ratio ours / floor: {t_floor / t_ours:.0%} of the bare UPDATE's rate")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    os.environ.setdefault("ECWEB_JOB_FILES_DIR", tempfile.mkdtemp(prefix="ecweb-bench-bu-"))
    with tempfile.TemporaryDirectory(prefix="ecweb-bench-bu-") as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bu.db'}", args.orders)
    if args.postgres:
        admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_bu WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE ecweb_bench_bu"))
        try:
            run("PostgreSQL", args.postgres.rsplit("/", 1)[0] + "/ecweb_bench_bu", args.orders)
        finally:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_bu WITH (FORCE)"))


if __name__ == "__main__":
    main()
