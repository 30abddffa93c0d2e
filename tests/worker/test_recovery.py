"""Nothing stuck (issue 19): real `dramatiq` worker processes on a real Redis, with the sweep.

- kill -9 of the worker mid-job: the sweep re-sends the job as soon as its lease goes stale (not at
  Dramatiq's random maintenance, minutes later), another worker resumes it, every order once;
- a Redis that lost every message (FLUSHALL before any worker fetched them): each job is re-sent;
- a Redis restarted mid-job without its data: the job still finishes, every order once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.db import make_engine
from ecweb_core.demo import generate
from ecweb_core.jobs.register import register_job
from ecweb_core.migrate import upgrade
from ecweb_core.models import DunningRecord, Job, JobTarget, Operator
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from ecweb_core.settings import PROJECT_ROOT
from ecweb_state import dispatch
from tests.conftest import DEMO_NOW
from tests.redis_server import free_port

N = 6_000


@pytest.fixture(autouse=True)
def _own_broker() -> Iterator[None]:
    """Each test has its own Redis: the app's cached broker must not outlive it."""
    dispatch._broker.cache_clear()
    yield
    dispatch._broker.cache_clear()


@contextmanager
def _redis(folder: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def _engine(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'recovery.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, N, seed=11, now=DEMO_NOW)
    return url, engine


def _register(engine: Engine) -> int:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "dunning", int(op or 0), Selection(filter=parse_filter({}), all_results=True), {})
        return int(job.id or 0)


def _worker_env(db_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "ECWEB_JOB_CHUNK_SIZE": "100",
        "ECWEB_JOB_CHUNK_PAUSE_MS": "150",
        # A short lease and sweep for the test; Dramatiq's own requeue of a dead worker's messages
        # stays at its defaults (60 s heartbeat, random maintenance): the sweep must do the work.
        "ECWEB_JOB_LEASE_S": "3",
        "ECWEB_SWEEP_S": "0.5",
    }


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(os.sys.executable).parent / "dramatiq"), "workers", "--processes", "1", "--threads", "2"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _job(engine: Engine, job_id: int) -> Job:
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _wait(check: Callable[[], bool], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, log.read_text()[-4000:]
        time.sleep(0.1)


def _exactly_once(engine: Engine, job_ids: list[int]) -> None:
    for job_id in job_ids:
        done = _job(engine, job_id)
        assert (done.status, done.done_count, done.succeeded, done.failed) == ("done", N, N, 0)
    with Session(engine) as s:
        per_order = s.execute(select(DunningRecord.order_id, func.count()).group_by(DunningRecord.order_id)).all()
        assert len(per_order) == N and {n for _, n in per_order} == {len(job_ids)}
        assert s.execute(select(func.count()).where(JobTarget.outcome.is_(None))).scalar_one() == 0


def test_a_killed_workers_job_is_resent_by_the_sweep_and_done_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db_url, engine = _engine(tmp_path)
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("REDIS_URL", redis_url)
    log = tmp_path / "worker.log"
    with _redis(tmp_path, port):
        env = _worker_env(db_url, redis_url)
        first = _start_worker(env, log)
        second = None
        try:
            job_id = _register(engine)
            dispatch.send_job("dunning", job_id, engine)
            _wait(lambda: _job(engine, job_id).done_count >= 1000, 60, log)
            second = _start_worker(env, log)  # idle: it must take the job over
            time.sleep(2)  # its boot
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed_at, done_then = time.monotonic(), _job(engine, job_id).done_count
            _wait(lambda: _job(engine, job_id).done_count > done_then, 45, log)
            resumed_after = time.monotonic() - killed_at
            _wait(lambda: _job(engine, job_id).status == "done", 120, log)
        finally:
            _stop(first)
            if second is not None:
                _stop(second)
    job = _job(engine, job_id)
    assert job.resent >= 1 and job.attempts >= 2, log.read_text()[-3000:]
    _exactly_once(engine, [job_id])
    print(f"resumed {resumed_after:.1f} s after the kill (lease 3 s, sweep every 0.5 s)")


def test_jobs_whose_messages_redis_lost_are_resent(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db_url, engine = _engine(tmp_path)
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("REDIS_URL", redis_url)
    log = tmp_path / "worker.log"
    with _redis(tmp_path, port):
        job_ids = [_register(engine) for _ in range(3)]
        for job_id in job_ids:
            dispatch.send_job("dunning", job_id, engine)
        redis.Redis(port=port).flushall()  # what a Redis restart without its data does to queued messages
        worker = _start_worker(_worker_env(db_url, redis_url), log)
        try:
            _wait(lambda: all(_job(engine, j).status == "done" for j in job_ids), 120, log)
        finally:
            _stop(worker)
    assert [_job(engine, j).resent for j in job_ids] == [1, 1, 1]
    _exactly_once(engine, job_ids)


def test_a_redis_restart_mid_job_does_not_stop_it(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db_url, engine = _engine(tmp_path)
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("REDIS_URL", redis_url)
    log = tmp_path / "worker.log"
    worker = None
    try:
        with _redis(tmp_path, port):
            worker = _start_worker(_worker_env(db_url, redis_url), log)
            job_ids = [_register(engine), _register(engine)]
            for job_id in job_ids:
                dispatch.send_job("dunning", job_id, engine)
            _wait(lambda: _job(engine, job_ids[0]).done_count >= 500, 60, log)
        # Redis is gone (with the second job's queued message) for a moment, then back empty.
        time.sleep(1)
        with _redis(tmp_path, port):
            _wait(lambda: all(_job(engine, j).status == "done" for j in job_ids), 180, log)
    finally:
        if worker is not None:
            _stop(worker)
    _exactly_once(engine, job_ids)
