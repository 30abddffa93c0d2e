"""A real `dramatiq` worker process on a real Redis, killed with SIGKILL in the middle of a job:
a second worker resumes it and every order is done exactly once (SPEC J5, X3)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.db import make_engine
from ecweb_core.demo import generate
from ecweb_core.jobs.register import register_job
from ecweb_core.migrate import upgrade
from ecweb_core.models import DunningRecord, Job, JobTarget, Operator
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from ecweb_core.settings import PROJECT_ROOT
from ecweb_state.dispatch import send_job
from tests.conftest import DEMO_NOW

N = 10_000


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(os.sys.executable).parent / "dramatiq"), "workers", "--processes", "1", "--threads", "1"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _job(engine, job_id: int) -> Job:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_kill_9_mid_job_then_resume_does_every_order_exactly_once(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'kill.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    generate(engine, N, seed=9, now=DEMO_NOW)
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job_id = register_job(s, "dunning", op, Selection(filter=parse_filter({}), all_results=True), {}).id  # type: ignore[arg-type]
    worker_env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": env,
        "ECWEB_JOB_CHUNK_SIZE": "100",
        "ECWEB_JOB_CHUNK_PAUSE_MS": "20",
        # Requeue a dead worker's message quickly, and check for dead workers on every fetch.
        "ECWEB_WORKER_HEARTBEAT_MS": "1500",
        "ECWEB_WORKER_MAINTENANCE_CHANCE": "1000000",
        # The redelivered message finds the dead runner's lease; a short lease lets the sweep re-send.
        "ECWEB_JOB_LEASE_S": "3",
        "ECWEB_SWEEP_S": "0.5",
    }
    monkeypatch.setenv("REDIS_URL", env)
    log = tmp_path / "worker.log"
    first = _start_worker(worker_env, log)
    try:
        send_job("dunning", job_id, engine)
        deadline = time.monotonic() + 60
        while _job(engine, job_id).done_count < 2000:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    interrupted = _job(engine, job_id)
    assert interrupted.status == "running" and 2000 <= interrupted.done_count < N

    second = _start_worker(worker_env, log)
    try:
        deadline = time.monotonic() + 120
        while _job(engine, job_id).status != "done":
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)

    done = _job(engine, job_id)
    assert (done.total, done.done_count, done.succeeded, done.failed) == (N, N, N, 0)
    assert done.attempts >= 2
    with Session(engine) as s:
        per_order = s.execute(select(DunningRecord.order_id, func.count()).group_by(DunningRecord.order_id)).all()
        assert len(per_order) == N and {n for _, n in per_order} == {1}
        assert s.execute(select(func.count()).where(JobTarget.outcome.is_(None))).scalar_one() == 0
