"""Job machinery overhead: a 一括督促 on N orders (「検索結果すべて」) from registration to 完了,
run by a real `dramatiq` worker process on a private Redis, next to the same dunning rows written
by one bare INSERT … SELECT on the same database. Prints orders/s and the ratio.

    python bench/jobs.py --orders 100000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.jobs.register import register_job  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import DunningRecord, Job, Operator, OrderEvent  # noqa: E402
from ecweb_core.search import OrderFilter  # noqa: E402
from ecweb_core.selection import Selection  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str, orders: int) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
    if have != orders:
        raise SystemExit(f"{url} holds {have} orders, expected {orders}: use a fresh database")
    return engine


def clean(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(DunningRecord))
        conn.execute(delete(OrderEvent).where(OrderEvent.kind == "dunning"))


def bare_insert_select(engine: Engine, operator_id: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO dunning_records (order_id, due_date, memo, operator_id, created_at) "
                "SELECT id, NULL, 'bench', :op, CURRENT_TIMESTAMP FROM orders"
            ),
            {"op": operator_id},
        )
    return time.perf_counter() - started


def job_run(engine: Engine, db_url: str, redis_url: str, operator_id: int, tmp: Path) -> tuple[float, float, int]:
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "ECWEB_JOB_FILES_DIR": str(tmp / "jobs")}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "dramatiq"), "workers", "--processes", "1", "--threads", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    os.environ["REDIS_URL"] = redis_url
    from ecweb_state.dispatch import send_job

    time.sleep(3)  # let the worker boot before the clock starts
    try:
        started = time.perf_counter()
        with Session(engine) as s:
            job_id = register_job(s, "dunning", operator_id, Selection(filter=OrderFilter(), all_results=True), {}).id
        registered = time.perf_counter() - started
        send_job("dunning", int(job_id or 0), engine)
        while True:
            with Session(engine) as s:
                job = s.get(Job, job_id)
                assert job is not None
                if job.status in ("done", "failed"):
                    break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        assert job.status == "done", job.error
        return elapsed, registered, job.succeeded
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def run(label: str, db_url: str, orders: int, redis_url: str, tmp: Path) -> None:
    engine = prepare(db_url, orders)
    with Session(engine) as s:
        operator_id = int(s.execute(select(Operator.id)).scalars().first() or 0)
    clean(engine)
    bare = bare_insert_select(engine, operator_id)
    clean(engine)
    elapsed, registered, done = job_run(engine, db_url, redis_url, operator_id, tmp)
    with Session(engine) as s:
        rows = s.execute(select(func.count()).select_from(DunningRecord)).scalar_one()
    assert rows == done == orders, (rows, done, orders)
    clean(engine)
    print(f"\n{label}: {orders:,} orders")
    print(f"  bare INSERT … SELECT (dunning rows only):  {bare:7.2f} s  {orders / bare:>10,.0f} orders/s")
    print(f"  job: register (snapshot) → 完了:          {elapsed:7.2f} s  {orders / elapsed:>10,.0f} orders/s")
    print(f"    of which registration + snapshot:      {registered:7.2f} s")
    print(f"  ratio job / bare: {elapsed / bare:.1f}×  (the job also writes order events, per-order outcomes,")
    print("  progress and the result CSV, one transaction per 1,000 orders)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ecweb-bench-jobs-"))
    port = free_port()
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        sqlite_url = f"sqlite:///{tmp / 'jobs.db'}"
        engine = make_engine(sqlite_url)
        upgrade(engine)
        generate(engine, args.orders, seed=7)
        run("SQLite", sqlite_url, args.orders, redis_url, tmp)
        if args.postgres:
            admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_jobs WITH (FORCE)"))
                conn.execute(text("CREATE DATABASE ecweb_bench_jobs"))
            pg_url = args.postgres.rsplit("/", 1)[0] + "/ecweb_bench_jobs"
            pg = make_engine(pg_url)
            upgrade(pg)
            generate(pg, args.orders, seed=7)
            pg.dispose()
            run("PostgreSQL", pg_url, args.orders, redis_url, tmp)
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_jobs WITH (FORCE)"))
    finally:
        redis.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
