"""決済状況一括変更 throughput where the provider is slow: 売上処理 of N card orders through the job
runner against the sandbox provider answering each call in --latency-ms (50 ms), with the chunk's
calls in flight at once (ECWEB_PAYMENT_IN_FLIGHT), next to the same job calling the provider one
order at a time (in flight 1) on an identical copy of the data (database and provider), and to the
floor: the same captures sent straight through the gateway client with the same number in flight, no
database at all. Prints orders/s, the ratios, and how many captures the provider holds per order
(must be exactly 1).

    python bench/payment.py --orders 10000 [--latency-ms 50] [--in-flight 16]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select, update
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.jobs.register import register_job  # noqa: E402
from ecweb_core.jobs.runner import run_job  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import Job, Operator, Order, PaymentMethod  # noqa: E402
from ecweb_core.payments.gateway import SandboxGateway  # noqa: E402
from ecweb_core.search import OrderFilter  # noqa: E402
from ecweb_core.selection import Selection  # noqa: E402
from tests.redis_server import free_port  # noqa: E402


def start_provider(db: Path, latency_ms: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecweb_core.payments.sandbox", "--port", str(port), "--db", str(db),
         "--latency-ms", str(latency_ms)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit("the sandbox provider did not start")


def run(db_url: str, provider_url: str, process: str, in_flight: int) -> tuple[float, Job]:
    os.environ.update(PAYMENT_PROVIDER_URL=provider_url, ECWEB_PAYMENT_IN_FLIGHT=str(in_flight))
    engine = make_engine(db_url)
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "payment", op, Selection(filter=OrderFilter(), all_results=True), {"process": process})  # type: ignore[arg-type]
    started = time.perf_counter()
    run_job(engine, int(job.id or 0), chunk_size=1000)
    elapsed = time.perf_counter() - started
    with Session(engine) as s:
        done = s.get(Job, job.id)
    engine.dispose()
    assert done is not None
    return elapsed, done


def captures_per_order(provider_url: str) -> Counter[int]:
    ops = httpx.get(f"{provider_url}/_sandbox/operations", timeout=30).json()["operations"]
    per_order = Counter({o["order_number"]: o["n"] for o in ops if o["kind"] == "capture"})
    return Counter(per_order.values())


def floor_captures(db_url: str, provider_url: str, in_flight: int) -> float:
    """The provider's own limit for these calls: the captures with nothing of ours around them."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        refs = [r for r in conn.execute(select(Order.payment_ref).where(Order.payment_ref.is_not(None))).scalars()]
    engine.dispose()
    gateway = SandboxGateway(provider_url, 30.0)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        list(pool.map(lambda ref: gateway.capture(ref, f"floor:{ref}"), refs))
    return time.perf_counter() - started


def failures(job: Job) -> list[list[str]]:
    with open(job.result_path or "", encoding="utf-8-sig") as fh:
        return [r for r in csv.reader(fh) if r[1] == "失敗"][:3]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--in-flight", type=int, default=16)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-payment-"))
    os.environ["ECWEB_JOB_FILES_DIR"] = str(tmp / "jobs")
    try:
        # One dataset: N card orders, each authorized at the provider (latency 0 for the set-up).
        db, provider_db = tmp / "ours.db", tmp / "ours-provider.db"
        engine = make_engine(f"sqlite:///{db}")
        upgrade(engine)
        generate(engine, args.orders, seed=3)
        with engine.begin() as conn:
            credit = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
            conn.execute(update(Order).values(payment_method_id=credit, payment_status="unpaid", payment_ref=None))
        engine.dispose()
        proc, url = start_provider(provider_db, 0)
        run(f"sqlite:///{db}", url, "reauthorize", 64)
        proc.terminate()
        proc.wait()
        # The identical copy for the one-at-a-time run (with the provider's write-ahead log).
        copies = [(db, "serial.db"), (provider_db, "serial-provider.db"), (provider_db, "floor-provider.db")]
        for src, dst in copies:
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{src}{suffix}").exists():
                    shutil.copy(f"{src}{suffix}", tmp / f"{dst}{suffix}")

        results = {}
        for name, in_flight in (("ours", args.in_flight), ("serial", 1)):
            proc, url = start_provider(tmp / f"{name}-provider.db", args.latency_ms)
            try:
                elapsed, job = run(f"sqlite:///{tmp / f'{name}.db'}", url, "capture", in_flight)
                results[name] = (elapsed, job, captures_per_order(url))
            finally:
                proc.terminate()
                proc.wait()
        proc, url = start_provider(tmp / "floor-provider.db", args.latency_ms)
        try:
            floor = floor_captures(f"sqlite:///{db}", url, args.in_flight)
        finally:
            proc.terminate()
            proc.wait()
        print(f"sqlite: {args.orders:,} orders 売上処理, provider latency {args.latency_ms} ms per call")
        for name, label in (("ours", f"ours   (chunk calls in flight: {args.in_flight})"),
                            ("serial", "serial (one call at a time, same code)")):  # fmt: skip
            elapsed, job, per_order = results[name]
            print(f"  {label:44s} {elapsed:8.2f} s  {args.orders / elapsed:9,.1f} orders/s"
                  f"  succeeded {job.succeeded:,} failed {job.failed:,}  captures/order {dict(per_order)}")  # fmt: skip
            if job.failed:
                print("    first failures:", failures(job))
        label = "floor  (gateway client only, same in flight)"
        print(f"  {label:44s} {floor:8.2f} s  {args.orders / floor:9,.1f} orders/s")
        print(f"  ratio ours / serial: {results['serial'][0] / results['ours'][0]:.1f}× faster")
        print(f"  ratio ours / floor:  {floor / results['ours'][0]:.0%} of the floor's rate")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
