"""決済状況一括変更 in real `dramatiq` worker processes against the real sandbox provider: a worker
killed with SIGKILL while the provider holds its answers (the captures done, nothing recorded yet),
and a job message delivered twice at once — each order is captured at the provider exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.db import make_engine
from ecweb_core.demo import generate
from ecweb_core.jobs.catalog import job_message
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.migrate import upgrade
from ecweb_core.models import ExternalEffect, Job, Operator, Order, PaymentMethod
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from ecweb_core.settings import PROJECT_ROOT
from ecweb_state import dispatch
from tests.conftest import DEMO_NOW
from tests.payment_provider import Provider

N = 24


@pytest.fixture
def engine(tmp_path: Path, provider: Provider, env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A SQLite file the worker processes share, with N card orders authorized at the provider."""
    db_url = f"sqlite:///{tmp_path / 'pay.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    generate(engine, N, seed=12, now=DEMO_NOW)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", provider.url)
    with engine.begin() as conn:
        credit = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
        conn.execute(update(Order).values(payment_method_id=credit, payment_status="unpaid", payment_ref=None))
    run_job(engine, _register(engine, "reauthorize"))
    yield engine
    engine.dispose()


def _register(engine: Engine, process: str) -> int:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        ids = set(s.execute(select(Order.id)).scalars())
        job = register_job(s, "payment", op, Selection(filter=OrderFilter(), ticked=ids), {"process": process})  # type: ignore[arg-type]
        return int(job.id or 0)


def _worker(env: dict[str, str], log: Path, threads: int = 1) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(os.sys.executable).parent / "dramatiq"), "workers", "--processes", "1", "--threads",
             str(threads)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _job(engine: Engine, job_id: int) -> Job:
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _worker_env(engine: Engine, redis_url: str, provider: Provider) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "REDIS_URL": redis_url,
        "PAYMENT_PROVIDER_URL": provider.url,
        "ECWEB_PAYMENT_TIMEOUT_S": "60",  # the worker waits for the held answers until it is killed
        "ECWEB_PAYMENT_IN_FLIGHT": "8",
        # Requeue a dead worker's message quickly, and check for dead workers on every fetch.
        "ECWEB_WORKER_HEARTBEAT_MS": "1500",
        "ECWEB_WORKER_MAINTENANCE_CHANCE": "1000000",
    }


def _wait(condition, timeout: float, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)


def _captures_per_order(engine: Engine, provider: Provider) -> list[int]:
    with Session(engine) as s:
        numbers = list(s.execute(select(Order.number).order_by(Order.id)).scalars())
    ops = provider.operations()
    return [ops.get((n, "capture"), 0) for n in numbers]


def test_kill_9_between_the_calls_and_their_record_captures_each_order_once(
    engine: Engine, provider: Provider, env: str, tmp_path: Path
) -> None:
    with Session(engine) as s:
        numbers = list(s.execute(select(Order.number)).scalars())
    # The provider captures, commits, then holds every answer back: the worker is killed waiting.
    provider.faults(hang_after_success_orders=numbers, hang_seconds=120)
    job_id = _register(engine, "capture")
    worker_env, log = _worker_env(engine, env, provider), tmp_path / "worker.log"
    first = _worker(worker_env, log)
    dispatch._broker.cache_clear()  # the app's broker, on this test's Redis (REDIS_URL from `env`)
    try:
        dispatch.send_job("payment", job_id, engine)
        _wait(lambda: sum(_captures_per_order(engine, provider)) >= 8, 60, log)  # the first calls are in
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    with Session(engine) as s:
        states = set(s.execute(select(ExternalEffect.state).where(ExternalEffect.kind == "payment.capture")).scalars())
        assert states == {"requested"}  # claimed, nothing recorded: the worker died mid-call
        assert s.execute(select(Order.payment_status).distinct()).scalars().all() == ["authorized"]
    provider.faults()

    second = _worker(worker_env, log)
    try:
        _wait(lambda: _job(engine, job_id).status == "done", 120, log)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    job = _job(engine, job_id)
    assert (job.succeeded, job.failed) == (N, 0), job.error
    assert _captures_per_order(engine, provider) == [1] * N
    assert provider.operations(outcome="invalid") == {}  # and no second call the provider refused
    with Session(engine) as s:
        assert set(s.execute(select(Order.payment_status)).scalars()) == {"captured"}


def test_a_job_delivered_twice_at_once_captures_each_order_once(
    engine: Engine, provider: Provider, env: str, tmp_path: Path
) -> None:
    provider.faults(latency_ms=100)
    job_id = _register(engine, "capture")
    worker_env, log = _worker_env(engine, env, provider), tmp_path / "worker.log"
    worker = _worker(worker_env, log, threads=2)
    dispatch._broker.cache_clear()
    try:
        for _ in range(2):  # a redelivery racing the first delivery
            dispatch._broker().enqueue(dramatiq.Message(**job_message("payment", job_id)))
        _wait(lambda: _job(engine, job_id).status == "done", 120, log)
        time.sleep(1)  # let the second delivery finish too
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        dispatch._broker.cache_clear()
    job = _job(engine, job_id)
    assert (job.done_count, job.succeeded, job.failed) == (N, N, 0)
    assert _captures_per_order(engine, provider) == [1] * N
    assert provider.operations(outcome="invalid") == {}
