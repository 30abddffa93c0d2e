"""Order grid search benchmark (issue 2).

With N generated orders (1,000,000 for the issue), times one grid page — the count plus the
first page, and the count plus a page about 80 % deep into the results — for typical filters,
on SQLite and, when reachable, PostgreSQL. Each figure is the median of several runs after a
warm-up, printed with its ratio to a bare ``SELECT count(*) FROM orders`` on the same database.
Target: every grid page under 200 ms on 1M orders.

    python bench/search.py --orders 1000000
    python bench/search.py --orders 1000000 --sqlite /tmp/b.db --postgres postgresql://postgres@db:5432/postgres
    python bench/search.py --orders 100000 --no-postgres

SQLite: the file (default bench/search_bench.db, git-ignored) is reused when it already holds
exactly N orders, otherwise recreated. PostgreSQL: the URL (``--postgres``, else
BENCH_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/postgres) names the server and a
maintenance database; the benchmark works only in its own database ``ecweb_bench`` there
(``--pg-database``), reused or dropped and recreated by the same rule. An unreachable server
is skipped with a note.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from ecweb_core import demo, migrate
from ecweb_core.db import make_engine
from ecweb_core.models import Order
from ecweb_core.models.common import JST
from ecweb_core.search import OrderFilter, PageRequest, count_orders, fetch_page, parse_filter

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_SQLITE = BENCH_DIR / "search_bench.db"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE_SIZE = 50
TARGET_MS = 200.0
DEEP_FRACTION = 0.8
SLOW_RUN_S = 5.0  # a warm-up slower than this gets a single timed run, to keep the bench bounded


@dataclass
class Result:
    db: str
    label: str
    kind: str  # "first" | "deep"
    page: int
    matches: int
    count_ms: float
    page_ms: float
    total_ms: float
    rows: int


# --------------------------------------------------------------------------- databases


def _order_count(engine: Engine) -> int | None:
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM orders")).scalar_one())
    except (OperationalError, ProgrammingError):
        return None


def _migrate_reused(engine: Engine) -> None:
    """Brings a reused database to the current schema; new indexes get fresh statistics."""
    with engine.connect() as conn:
        before = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    migrate.upgrade(engine)
    with engine.connect() as conn:
        after = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if after != before:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _populate(engine: Engine, orders: int, name: str) -> None:
    migrate.upgrade(engine)
    print(f"[{name}] generating {orders:,} orders …", flush=True)
    started = time.perf_counter()
    counts = demo.generate(engine, orders=orders, seed=7)
    elapsed = time.perf_counter() - started
    print(f"[{name}] generated {counts} in {elapsed:.0f} s ({counts['orders'] / elapsed:,.0f} orders/s)", flush=True)
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        # A freshly bulk-loaded table has no visibility map; autovacuum would build it in production.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"[{name}] VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        print(f"[{name}] ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)


def sqlite_engine(path: Path, orders: int) -> Engine:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    if path.exists() and _order_count(engine) == orders:
        print(f"[SQLite] reusing {path} ({orders:,} orders)", flush=True)
        _migrate_reused(engine)
        return engine
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"[SQLite] creating {path}", flush=True)
    engine = make_engine(url)
    _populate(engine, orders, "SQLite")
    return engine


def postgres_engine(server_url: str, database: str, orders: int) -> Engine | None:
    """The engine of the bench database on that server, (re)built as needed; None when unreachable."""
    url = make_url(server_url.replace("postgres://", "postgresql://", 1))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.database == database:
        url = url.set(database="postgres")
    if "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": "5"})
    admin = make_engine(url.render_as_string(hide_password=False))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"[PostgreSQL] skipped: server not reachable at {url.render_as_string()} ({reason})", flush=True)
        admin.dispose()
        return None
    bench_url = url.set(database=database).render_as_string(hide_password=False)
    if exists:
        engine = make_engine(bench_url)
        if _order_count(engine) == orders:
            print(f"[PostgreSQL] reusing database {database} ({orders:,} orders)", flush=True)
            admin.dispose()
            _migrate_reused(engine)
            return engine
        engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    print(f"[PostgreSQL] created database {database}", flush=True)
    engine = make_engine(bench_url)
    _populate(engine, orders, "PostgreSQL")
    return engine


# --------------------------------------------------------------------------- measuring


def filters(engine: Engine) -> list[tuple[str, OrderFilter]]:
    """The typical grid searches; 「直近30日」 counts back from the newest order, so a reused DB measures the same."""
    with Session(engine) as s:
        newest = s.execute(select(func.max(Order.__table__.c.ordered_at))).scalar_one()
    today = newest.astimezone(JST).date()
    return [
        ("すべて (no filter)", parse_filter({})),
        ("対応状況 発送完了", parse_filter({"status_ids": "40"})),
        ("顧客名「佐藤」", parse_filter({"customer_name": "佐藤"})),
        ("顧客名「佐藤　美咲」", parse_filter({"customer_name": "佐藤　美咲"})),
        ("カナ「さとう」", parse_filter({"customer_name": "さとう"})),
        ("電話番号「０９０１２」", parse_filter({"phone": "０９０１２"})),
        ("メール「CUSTOMER12」", parse_filter({"email": "CUSTOMER12"})),
        (
            "直近30日 + 売上完了",
            parse_filter({"ordered_from": (today - timedelta(days=30)).isoformat(), "payment_statuses": "captured"}),
        ),
        ("未出力 + 要対応", parse_filter({"shipping_list": "unexported", "needs_attention": "yes"})),
        ("ラベル「要確認」", parse_filter({"label_ids": "4"})),
    ]


def _timed_runs(fn: Callable[[], object], warmup: int, repeat: int) -> list[float]:
    started = time.perf_counter()
    for _ in range(warmup):
        fn()
    slow = warmup and (time.perf_counter() - started) / warmup > SLOW_RUN_S
    times = []
    for _ in range(1 if slow else repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def bare_count_ms(engine: Engine, warmup: int, repeat: int) -> float:
    def run() -> None:
        with Session(engine) as s:
            s.execute(text("SELECT count(*) FROM orders")).scalar_one()

    return statistics.median(_timed_runs(run, warmup, repeat))


def grid_page(engine: Engine, db: str, label: str, f: OrderFilter, kind: str, warmup: int, repeat: int) -> Result:
    with Session(engine) as s:
        matches = count_orders(s, f)
    pages = max(1, math.ceil(matches / PAGE_SIZE))
    page = 1 if kind == "first" else max(1, round(pages * DEEP_FRACTION))
    req = PageRequest(page=page, page_size=PAGE_SIZE, sort="ordered_at", descending=True)
    runs: list[tuple[float, float, int]] = []

    def run() -> None:
        with Session(engine) as s:
            t0 = time.perf_counter()
            count_orders(s, f)
            t1 = time.perf_counter()
            rows = fetch_page(s, f, req)
            t2 = time.perf_counter()
        runs.append(((t1 - t0) * 1000, (t2 - t1) * 1000, len(rows)))

    _timed_runs(run, warmup, repeat)
    timed = runs[warmup:]
    return Result(
        db=db,
        label=label,
        kind=kind,
        page=page,
        matches=matches,
        count_ms=statistics.median(r[0] for r in timed),
        page_ms=statistics.median(r[1] for r in timed),
        total_ms=statistics.median(r[0] + r[1] for r in timed),
        rows=timed[-1][2],
    )


def bench(engine: Engine, db: str, warmup: int, repeat: int) -> tuple[float, list[Result]]:
    bare = bare_count_ms(engine, warmup, repeat)
    results = []
    for label, f in filters(engine):
        for kind in ("first", "deep"):
            results.append(grid_page(engine, db, label, f, kind, warmup, repeat))
            print(f"[{db}] measured {label} / {kind}", file=sys.stderr, flush=True)
    return bare, results


# --------------------------------------------------------------------------- printing


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _ljust(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _rjust(s: str, width: int) -> str:
    return " " * max(0, width - _width(s)) + s


def print_table(db: str, note: str, bare: float, results: list[Result]) -> None:
    print()
    print(f"{db} — {note}")
    print(f"bare SELECT count(*) FROM orders: {bare:.1f} ms (median)")
    head = ["filter", "grid page", "matches", "rows", "count ms", "page ms", "total ms", "× count(*)", "< 200 ms"]
    rows = [
        [
            r.label,
            f"{'first' if r.kind == 'first' else 'deep'} p.{r.page:,}",
            f"{r.matches:,}",
            str(r.rows),
            f"{r.count_ms:.1f}",
            f"{r.page_ms:.1f}",
            f"{r.total_ms:.1f}",
            f"{r.total_ms / bare:.2f}" if bare > 0 else "-",
            "yes" if r.total_ms < TARGET_MS else "NO",
        ]
        for r in results
    ]
    widths = [max(_width(x) for x in col) for col in zip(head, *rows, strict=True)]
    left = {0, 1}

    def line(cells: list[str]) -> str:
        return "  ".join(
            _ljust(c, w) if i in left else _rjust(c, w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(head))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time order-grid pages (count + page) on a generated database.")
    parser.add_argument("--orders", type=int, default=1_000_000, help="generated orders (default 1,000,000)")
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE, help=f"SQLite file (default {DEFAULT_SQLITE})")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES,
        help="PostgreSQL server URL (default $BENCH_POSTGRES_URL or %(default)s)",
    )
    parser.add_argument("--pg-database", default="ecweb_bench", help="database created on that server")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)

    tables: list[tuple[str, str, float, list[Result]]] = []
    if not args.no_sqlite:
        engine = sqlite_engine(args.sqlite.resolve(), args.orders)
        bare, results = bench(engine, "SQLite", args.warmup, args.repeat)
        version = engine.dialect.dbapi.sqlite_version  # type: ignore[union-attr]
        tables.append(("SQLite", f"{args.sqlite} (SQLite {version}), {args.orders:,} orders", bare, results))
        engine.dispose()
    if not args.no_postgres:
        engine = postgres_engine(args.postgres, args.pg_database, args.orders)
        if engine is not None:
            bare, results = bench(engine, "PostgreSQL", args.warmup, args.repeat)
            with engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar_one()
            tables.append(
                (
                    "PostgreSQL",
                    f"database {args.pg_database} (PostgreSQL {version}), {args.orders:,} orders",
                    bare,
                    results,
                )
            )
            engine.dispose()

    if not tables:
        print("no database measured")
        return 1
    print()
    print(
        f"grid page = count_orders + fetch_page (page size {PAGE_SIZE}, sort 受注日 desc); "
        f"median of {args.repeat} after {args.warmup} warm-up; deep page ≈ {DEEP_FRACTION:.0%} into the results"
    )
    for db, note, bare, results in tables:
        print_table(db, note, bare, results)
    print()
    slow = [r for _, _, _, results in tables for r in results if r.total_ms >= TARGET_MS]
    if slow:
        detail = "; ".join(f"{r.db} {r.label} {r.kind} p.{r.page:,} {r.total_ms:.0f} ms" for r in slow)
        print(f"RESULT: NOT every grid page is under {TARGET_MS:.0f} ms — over: {detail}")
    else:
        print(f"RESULT: every grid page is under {TARGET_MS:.0f} ms ({', '.join(t[0] for t in tables)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
