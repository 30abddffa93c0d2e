"""One job over two real `dramatiq` worker processes (issue 19), on both databases: both run its
chunks; the coordinator is killed with SIGKILL mid-job and the other worker takes the job over
(the sweep re-sends it, stale chunks are claimed again); every order is done exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.jobs.register import register_job
from ecweb_core.models import DunningRecord, Job, JobChunk, JobTarget, Operator
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from ecweb_core.settings import PROJECT_ROOT
from ecweb_state import dispatch
from tests.conftest import DEMO_NOW

N = 5_000


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(os.sys.executable).parent / "dramatiq"), "workers", "--processes", "1", "--threads", "1"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _pids_of_owners(engine: Engine, job_id: int) -> set[int]:
    with Session(engine) as s:
        owners = s.execute(select(JobChunk.owner).where(JobChunk.job_id == job_id, JobChunk.owner.is_not(None)))
        return {int(o.split(":")[1]) for o in owners.scalars()}


def _job(engine: Engine, job_id: int) -> Job:
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _wait(check, seconds: float, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, log.read_text()[-4000:]
        time.sleep(0.1)


def test_one_job_over_two_workers_survives_the_coordinators_kill(
    empty_engine: Engine, env: str, tmp_path: Path
) -> None:
    engine = empty_engine
    generate(engine, N, seed=21, now=DEMO_NOW)
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        job_id = int(register_job(s, "dunning", op, Selection(filter=parse_filter({}), all_results=True), {}).id or 0)
    worker_env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "REDIS_URL": env,
        "ECWEB_JOB_CHUNK_SIZE": "50",
        "ECWEB_JOB_CHUNK_PAUSE_MS": "60",
        "ECWEB_JOB_PARALLELISM": "2",
        "ECWEB_JOB_LEASE_S": "3",
        "ECWEB_SWEEP_S": "0.5",
        # A busy worker must not hold the helper's message in its prefetch (README, Scaling out).
        "dramatiq_queue_prefetch": "1",
    }
    log = tmp_path / "worker.log"
    workers = [_worker(worker_env, log), _worker(worker_env, log)]
    dispatch._broker.cache_clear()
    try:
        time.sleep(2)  # both booted
        dispatch.send_job("dunning", job_id, engine)
        _wait(lambda: len(_pids_of_owners(engine, job_id)) == 2, 60, log)  # both run its chunks
        coordinator = int((_job(engine, job_id).lease_owner or "x:0").split(":")[1])
        victim = next(w for w in workers if _child_pids(w.pid) & {coordinator})
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        assert _job(engine, job_id).status == "running"
        _wait(lambda: _job(engine, job_id).status == "done", 120, log)
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
                w.wait(timeout=30)
    job = _job(engine, job_id)
    assert (job.done_count, job.succeeded, job.failed, job.resent) == (N, N, 0, 1)
    with Session(engine) as s:
        per_order = s.execute(select(DunningRecord.order_id, func.count()).group_by(DunningRecord.order_id)).all()
        assert len(per_order) == N and {n for _, n in per_order} == {1}
        assert s.execute(select(func.count()).where(JobTarget.outcome.is_(None))).scalar_one() == 0


def _child_pids(pid: int) -> set[int]:
    """The worker process under `dramatiq`'s main process runs the actors: its pid is in the owner."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(p) for p in out} | {pid}
