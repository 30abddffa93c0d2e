"""Where SQLite's limit lies for CSV一括出力 (issue 5's 300,000 rows/s target): on the same N orders,
in one run, the export engine next to what SQLite alone does with the same chunk query.

- engine     render_chunk, chunk by chunk as the job calls it (ids handed in, bytes out);
- query      the engine's chunk SELECT (every line formatted by SQLite) over the whole table at once,
             through the raw sqlite3 module: no chunking, no Python per chunk;
- stripped   the same 5 joins and 20 columns in one printf with no formatting at all (no JST
             conversion, no labels, no quoting or neutralising);
- raw        the same joins, the 20 raw columns fetched as Python values;
- 2 threads  the engine's aggregated chunk query over 20,000-order chunks, each chunk split between
             two connections in two threads (SQLite releases the GIL while it steps) vs one thread.

    python bench/csv_sqlite_limit.py --orders 200000
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from csv_export import SPEC, prepare  # noqa: E402

from ecweb_core.csvexport.export import build_select, render_chunk  # noqa: E402
from ecweb_core.db import make_engine  # noqa: E402

JOINS = (
    " FROM orders JOIN customers ON customers.id = orders.customer_id"
    " JOIN order_statuses ON order_statuses.id = orders.status_id"
    " JOIN payment_methods ON payment_methods.id = orders.payment_method_id"
    " JOIN delivery_companies ON delivery_companies.id = orders.delivery_company_id"
)
RAW = [
    "orders.number", "orders.ordered_at", "order_statuses.name", "orders.payment_status", "payment_methods.name",
    "delivery_companies.name", "orders.tracking_number", "orders.scheduled_ship_date", "orders.shipped_at",
    "orders.shipping_list_exported", "customers.name", "customers.kana", "customers.email", "customers.phone",
    "customers.postal_code", "customers.prefecture", "customers.address", "orders.subtotal", "orders.shipping_fee",
    "orders.total",
]  # fmt: skip


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def engine_rate(url: str, ids: list[int], chunk: int) -> float:
    engine = make_engine(url)

    def run() -> None:
        for i in range(0, len(ids), chunk):
            with engine.begin() as conn:
                render_chunk(conn, SPEC, "utf-8-sig", ids[i : i + chunk])

    return timed(run)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ecweb-bench-limit-") as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        prepare(url, args.orders)
        engine = make_engine(url)
        query = build_select(SPEC, "sqlite")[0]
        sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            ids = list(conn.execute(text("SELECT id FROM orders ORDER BY id")).scalars().all())
        cons = [sqlite3.connect(path, check_same_thread=False) for _ in range(2)]
        for con in cons:
            con.execute("PRAGMA cache_size=-65536")
        one = cons[0]
        n = len(ids)
        one.execute("SELECT count(*)" + JOINS).fetchall()  # warm the page cache
        stripped = "SELECT printf('" + ",".join(["%s"] * len(RAW)) + "', " + ", ".join(RAW) + ")" + JOINS
        ranged = sql.replace("ORDER BY", "WHERE orders.id BETWEEN ? AND ? ORDER BY")
        raw = "SELECT " + ", ".join(RAW) + JOINS
        agg = f"SELECT json_group_array(id), group_concat(line || char(13,10), '') FROM ({ranged})"

        def chunks(threads: int) -> None:
            for i in range(0, n, 20_000):
                part = ids[i : i + 20_000]
                if threads == 1:
                    one.execute(agg, (part[0], part[-1])).fetchall()
                    continue
                half = len(part) // 2
                other = threading.Thread(target=lambda p=part, h=half: cons[1].execute(agg, (p[h], p[-1])).fetchall())
                other.start()
                one.execute(agg, (part[0], part[half - 1])).fetchall()
                other.join()

        results = [
            ("engine  (render_chunk, 5,000-order chunks)", engine_rate(url, ids, 5000)),
            ("query   (the engine's SELECT, whole table)", timed(lambda: one.execute(sql).fetchall())),
            ("stripped (joins + 20 columns, one printf)", timed(lambda: one.execute(stripped).fetchall())),
            ("raw     (joins, 20 raw columns fetched)", timed(lambda: one.execute(raw).fetchall())),
            ("1 thread (aggregated, 20,000-order chunks)", timed(lambda: chunks(1))),
            ("2 threads (same, each chunk split in two)", timed(lambda: chunks(2))),
        ]  # fmt: skip
        print(f"\nSQLite: {n:,} orders, per order, 20 columns")
        for label, seconds in results:
            print(f"  {label:44s} {seconds:6.2f} s  {n / seconds:>10,.0f} rows/s")
        rate = {label.split()[0]: n / s for label, s in results}
        print(f"  2 threads / 1 thread: {rate['2'] / rate['1']:.2f}×")
        print(f"  engine / stripped query: {rate['engine'] / rate['stripped']:.0%}")
        engine.dispose()


if __name__ == "__main__":
    main()
