"""Scale-out on PostgreSQL (issue 19): one 一括更新 and one CSV一括出力 of N orders, run by real
`dramatiq` worker processes (one thread each) on a private Redis, first with 1 process, then with 2
sharing the job (ECWEB_JOB_PARALLELISM=2), in the same run on the same data. Prints orders/s and the
speed-up. The CSV export is written by one runner (its file keeps the grid's order), so its second
process is expected to add nothing: it is measured to show that.

    python bench/scale.py --orders 1000000 --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.jobs import free_port  # noqa: E402
from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.jobs.register import register_job  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import CsvFormat, Job, Label, Operator  # noqa: E402
from ecweb_core.search import OrderFilter  # noqa: E402
from ecweb_core.selection import Selection  # noqa: E402
from ecweb_core.statuses import IN_PROGRESS, SHIPPED  # noqa: E402


def _workers(n: int, env: dict[str, str], log: Path) -> list[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        return [
            subprocess.Popen(
                [str(Path(sys.executable).parent / "dramatiq"), "workers", "--processes", "1", "--threads", "1"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            for _ in range(n)
        ]


def _run(engine: Engine, kind: str, form: dict[str, Any], processes: int, env: dict[str, str], log: Path) -> float:
    from ecweb_state.dispatch import send_job

    workers = _workers(processes, {**env, "ECWEB_JOB_PARALLELISM": str(processes)}, log)
    time.sleep(4)  # their boot, before the clock starts
    try:
        with Session(engine) as s:
            op = int(s.execute(select(Operator.id)).scalars().first() or 0)
            started = time.perf_counter()
            job_id = int(register_job(s, kind, op, Selection(filter=OrderFilter(), all_results=True), form).id or 0)
        send_job(kind, job_id, engine)
        while True:
            with Session(engine) as s:
                job = s.get(Job, job_id)
                assert job is not None
                if job.status in ("done", "failed"):
                    break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        assert job.status == "done" and job.failed == 0, (job.status, job.error, job.failed)
        with engine.connect() as conn:
            by_pid = text("SELECT count(DISTINCT split_part(owner, ':', 2)) FROM job_chunks WHERE job_id = :j")
            owners = conn.execute(by_pid, {"j": job_id}).scalar_one()
        print(f"    {kind:12s} {processes} process(es): {elapsed:7.2f} s  {job.total / elapsed:>9,.0f} orders/s"
              f"  (chunks run by {owners or 1} process(es))")  # fmt: skip
        return elapsed
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            w.wait(timeout=60)


def _vacuum(url: str) -> None:
    """Between runs: the previous run's events count as drained (its workers were stopped, maybe
    mid-drain; a drain left over must not run during the next measurement), then VACUUM."""
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("UPDATE order_events SET processed_at = now() WHERE processed_at IS NULL"))
        conn.execute(text("VACUUM ANALYZE orders"))
        conn.execute(text("VACUUM ANALYZE job_targets"))
    engine.dispose()


def _bare_update(url: str, status: int, connections: int) -> float:
    """The floor: the same status change as bare UPDATEs of 1,000 orders, by 1 or 2 connections at once
    on disjoint halves of the orders — what the database itself gains from a second writer here."""
    import threading

    engine = make_engine(url)
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM orders ORDER BY id")).scalars())
    halves = [ids[i::connections] for i in range(connections)]

    def work(part: list[int]) -> None:
        for i in range(0, len(part), 1000):
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE orders SET status_id = :s WHERE id = ANY(:ids)"),
                    {"s": status, "ids": part[i : i + 1000]},
                )

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    engine.dispose()
    print(f"    bare UPDATE  {connections} connection(s): {elapsed:6.2f} s  {len(ids) / elapsed:>9,.0f} orders/s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"), required=False)
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("--postgres URL is required (the scaled-out form runs on PostgreSQL)")
    tmp = Path(tempfile.mkdtemp(prefix="ecweb-bench-scale-"))
    port = free_port()
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    redis_url = f"redis://127.0.0.1:{port}/0"
    os.environ["REDIS_URL"] = redis_url
    admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_scale WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE ecweb_bench_scale"))
    url = args.postgres.rsplit("/", 1)[0] + "/ecweb_bench_scale"
    try:
        engine = make_engine(url)
        upgrade(engine)
        generate(engine, args.orders, seed=7)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        with Session(engine) as s:
            label = int(s.execute(select(Label.id)).scalars().first() or 0)
            fid = s.execute(select(CsvFormat.id).order_by(CsvFormat.id)).scalars().first()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "ECWEB_JOB_FILES_DIR": str(tmp / "jobs"),
            "dramatiq_queue_prefetch": "1",
        }
        log = tmp / "workers.log"
        print(f"PostgreSQL, {args.orders:,} orders, worker processes of one thread each, {os.cpu_count()} CPUs")
        times: dict[tuple[str, int], list[float]] = {}
        # 1, 2, 1 processes, VACUUM before each: neither setting gets the colder cache or the other's
        # dead rows; the single-process time is the mean of its two runs.
        statuses = [SHIPPED, IN_PROGRESS, SHIPPED]  # each run changes every order
        for n, status in zip((1, 2, 1), statuses, strict=True):
            _vacuum(url)
            form = {"status_id": str(status), "label_ids": [str(label)]}
            times.setdefault(("bulk_update", n), []).append(_run(engine, "bulk_update", form, n, env, log))
        for n in (1, 2, 1):
            _vacuum(url)
            form = {"format_id": str(fid), "encoding": "utf-8"}
            times.setdefault(("csv_export", n), []).append(_run(engine, "csv_export", form, n, env, log))
        _vacuum(url)
        floor1 = _bare_update(url, IN_PROGRESS, 1)
        _vacuum(url)
        floor2 = _bare_update(url, SHIPPED, 2)
        print(f"  the floor: 2 connections of bare UPDATEs are {floor1 / floor2:.2f}× one connection on this machine")
        for kind in ("bulk_update", "csv_export"):
            one = sum(times[(kind, 1)]) / len(times[(kind, 1)])
            print(f"  speed-up of 2 processes, {kind}: {one / times[(kind, 2)][0]:.2f}×")
        engine.dispose()
    finally:
        redis.terminate()
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_scale WITH (FORCE)"))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
