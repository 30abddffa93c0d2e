"""CSV一括出力 throughput: N orders exported per order with 20 columns (UTF-8 with BOM), measured in
one run on the same data:

- ours   the export engine of the csv_export job (ecweb_core.csvexport.export.render_chunk), chunk by
         chunk as the runner calls it (the database's default chunk size), appending to a file;
- job    the whole job: registration (snapshot), runner, per-order outcomes, result CSV, export file;
- naive  a straightforward ORM export: one Session query of Order objects with their customer,
         payment method, company and status objects (`.all()`), formatted in Python, csv.writer;
         capped at the first 200,000 orders (BENCH_NAIVE_ORDERS): it holds every object in memory;
- bare   the same joins and the 20 raw source columns fetched in the same chunks and thrown away:
         what the driver alone costs (no formatting, no CSV, no file);
- COPY   PostgreSQL only: `COPY (SELECT <the same 20 expressions>) TO STDOUT WITH CSV` — the physical limit.

Each method runs in a fresh child process, which reports its time and its peak memory growth
(VmHWM at the end minus VmRSS after imports). Prints rows/s and the ratios.

    python bench/csv_export.py --orders 1000000 [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.csvexport.export import build_select, header_bytes, render_chunk  # noqa: E402
from ecweb_core.csvexport.formats import FormatSpec, save_format  # noqa: E402
from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402

COLUMNS = [
    "order.number",
    "order.ordered_at",
    "order.status",
    "order.payment_status",
    "order.payment_method",
    "order.delivery_company",
    "order.tracking_number",
    "order.scheduled_ship_date",
    "order.shipped_at",
    "order.shipping_list",
    "customer.name",
    "customer.kana",
    "customer.email",
    "customer.phone",
    "customer.postal_code",
    "customer.prefecture",
    "customer.address",
    "order.subtotal",
    "order.shipping_fee",
    "order.total",
]
SPEC = FormatSpec("bench-20", "order", "order", [(k, k) for k in COLUMNS])


def _status_kb(field: str) -> int:
    """VmRSS / VmHWM of this process (ru_maxrss would carry the parent's peak across fork + exec)."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


def child_ours(url: str, out: Path) -> int:
    engine = make_engine(url)
    chunk = 5000 if url.startswith("sqlite") else 1000  # ecweb_core.settings' default per database
    rows, last = 0, 0
    with out.open("wb") as fh:
        fh.write(header_bytes(SPEC, "utf-8-sig"))
        while True:
            with engine.begin() as conn:
                next_ids = text("SELECT id FROM orders WHERE id > :l ORDER BY id LIMIT :n")
                ids = list(conn.execute(next_ids, {"l": last, "n": chunk}).scalars())
                if not ids:
                    break
                result = render_chunk(conn, SPEC, "utf-8-sig", ids)
            fh.write(result.data)
            rows += result.rows
            last = ids[-1]
    return rows


def child_job(url: str, out: Path) -> int:
    from sqlmodel import Session

    from ecweb_core.jobs.register import register_job
    from ecweb_core.jobs.runner import run_job
    from ecweb_core.models import CsvFormat, Job, Operator
    from ecweb_core.search import OrderFilter
    from ecweb_core.selection import Selection

    engine = make_engine(url)
    chunk = 5000 if url.startswith("sqlite") else 1000
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        fid = s.execute(select(CsvFormat.id).where(CsvFormat.name == SPEC.name)).scalar_one()
        everything = Selection(filter=OrderFilter(), all_results=True)
        job = register_job(s, "csv_export", op, everything, {"format_id": str(fid), "encoding": "utf-8-sig"})
    summary = run_job(engine, int(job.id or 0), chunk_size=chunk)
    with Session(engine) as s:
        done = s.get(Job, job.id)
        assert done is not None and done.export_path and summary.failed == 0
        os.replace(done.export_path, out)
    return summary.succeeded


def child_naive(url: str, out: Path) -> int:
    from sqlmodel import Session

    from ecweb_core.models import Customer, DeliveryCompany, Order, OrderStatus, PaymentMethod
    from ecweb_core.models.common import fmt_jst
    from ecweb_core.statuses import PAYMENT_STATUSES

    engine = make_engine(url)
    with Session(engine) as s, out.open("w", encoding="utf-8-sig", newline="") as fh:
        q = (
            select(Order, Customer, PaymentMethod, DeliveryCompany, OrderStatus)
            .join(Customer, Customer.id == Order.customer_id)
            .join(PaymentMethod, PaymentMethod.id == Order.payment_method_id)
            .join(DeliveryCompany, DeliveryCompany.id == Order.delivery_company_id)
            .join(OrderStatus, OrderStatus.id == Order.status_id)
            .order_by(Order.id)
            .limit(int(os.environ.get("BENCH_NAIVE_ORDERS", "200000")))
        )
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        rows = 0
        for o, c, pm, dc, st in s.execute(q).all():
            writer.writerow(
                [
                    o.number, fmt_jst(o.ordered_at), st.name, PAYMENT_STATUSES.get(o.payment_status), pm.name, dc.name,
                    o.tracking_number, o.scheduled_ship_date.strftime("%Y/%m/%d") if o.scheduled_ship_date else "",
                    fmt_jst(o.shipped_at), "出力済" if o.shipping_list_exported else "未出力", c.name, c.kana, c.email,
                    c.phone, c.postal_code, c.prefecture, c.address, o.subtotal, o.shipping_fee, o.total,
                ]
            )  # fmt: skip
            rows += 1
    return rows


def child_copy(url: str, out: Path) -> int:
    import psycopg

    engine = make_engine(url)
    query, _, _ = build_select(SPEC, "postgresql")
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    rows = 0
    with (
        psycopg.connect(dsn) as conn,
        conn.cursor() as cur,
        out.open("wb") as fh,
        cur.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER") as copy,
    ):
        for data in copy:
            fh.write(data)
            rows += bytes(data).count(b"\n")
    return rows - 1


def child_bare(url: str, out: Path) -> int:
    """The floor on the Python side: the same joins and the 20 raw source columns, fetched by the
    driver in the same chunks and thrown away (no formatting, no CSV, no file)."""
    o, c = "o", "c"
    raw = (
        f"{o}.number, {o}.ordered_at, st.name, {o}.payment_status, pm.name, dc.name, {o}.tracking_number, "
        f"{o}.scheduled_ship_date, {o}.shipped_at, {o}.shipping_list_exported, {c}.name, {c}.kana, {c}.email, "
        f"{c}.phone, {c}.postal_code, {c}.prefecture, {c}.address, {o}.subtotal, {o}.shipping_fee, {o}.total"
    )
    sql = text(
        f"SELECT {raw} FROM orders o JOIN customers c ON c.id = o.customer_id "
        "JOIN order_statuses st ON st.id = o.status_id JOIN payment_methods pm ON pm.id = o.payment_method_id "
        "JOIN delivery_companies dc ON dc.id = o.delivery_company_id WHERE o.id > :l AND o.id <= :h ORDER BY o.id"
    )
    engine = make_engine(url)
    chunk = 5000 if url.startswith("sqlite") else 1000
    rows, last = 0, 0
    with engine.connect() as conn:
        top = int(conn.execute(text("SELECT max(id) FROM orders")).scalar_one())
        while last < top:
            rows += len(conn.execute(sql, {"l": last, "h": last + chunk}).all())
            last += chunk
    return rows


CHILDREN = {"ours": child_ours, "job": child_job, "naive": child_naive, "copy": child_copy, "bare": child_bare}


def run_child(method: str, url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ecweb-bench-csv-") as tmp:
        env = {**os.environ, "ECWEB_JOB_FILES_DIR": tmp}
        done = subprocess.run(
            [sys.executable, __file__, "--child", method, "--url", url, "--out", str(Path(tmp) / "out.csv")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(url: str, orders: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    generate(engine, orders, seed=7)
    from sqlmodel import Session

    with Session(engine) as s:
        save_format(s, None, SPEC.name, SPEC.purpose, SPEC.unit, SPEC.columns)
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"  (generated {orders:,} orders in {time.perf_counter() - started:.0f} s)", flush=True)


def report(label: str, url: str, orders: int, methods: list[str]) -> None:
    print(f"\n{label}: {orders:,} orders, per order, 20 columns, UTF-8 with BOM", flush=True)
    prepare(url, orders)
    res = {m: run_child(m, url) for m in methods}
    names = {
        "ours": "ours  (export engine, chunked)",
        "job": "job   (register → runner → files)",
        "naive": "naive (ORM objects, csv.writer)",
        "copy": "COPY  (PostgreSQL, the limit)",
        "bare": "bare  (raw 20 columns fetched, no CSV)",
    }
    for m in methods:
        r = res[m]
        print(
            f"  {names[m]:40s} {r['seconds']:7.2f} s  {r['rows'] / r['seconds']:>10,.0f} rows/s  "
            f"peak +{r['peak_mb']:6.1f} MB  ({r['rows']:,} rows)"
        )
    ours = res["ours"]["rows"] / res["ours"]["seconds"]
    print(f"  ratio ours / naive: {ours / (res['naive']['rows'] / res['naive']['seconds']):.1f}×")
    print(f"  ratio ours / bare:  {ours / (res['bare']['rows'] / res['bare']['seconds']):.0%} of the raw fetch's rate")
    if "copy" in res:
        print(f"  ratio ours / COPY:  {ours / (res['copy']['rows'] / res['copy']['seconds']):.0%} of COPY's rate")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        base = _status_kb("VmRSS")
        started = time.perf_counter()
        rows = CHILDREN[args.child](args.url, Path(args.out))
        seconds = time.perf_counter() - started
        peak = _status_kb("VmHWM") - base
        print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak / 1024}))
        return
    with tempfile.TemporaryDirectory(prefix="ecweb-bench-csv-") as tmp:
        report("SQLite", f"sqlite:///{Path(tmp) / 'csv.db'}", args.orders, ["ours", "bare", "job", "naive"])
    if args.postgres:
        admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_csv WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE ecweb_bench_csv"))
        try:
            url = args.postgres.rsplit("/", 1)[0] + "/ecweb_bench_csv"
            report("PostgreSQL", url, args.orders, ["ours", "copy", "bare", "job", "naive"])
        finally:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_csv WITH (FORCE)"))


if __name__ == "__main__":
    main()
