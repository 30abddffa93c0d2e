"""One job shared by several runners (issue 19), on both databases: the coordinator plans chunks,
helpers claim them, every order is done once, the job finishes once; a helper that died leaves
a chunk that goes stale and is claimed again; the ordered-file kinds are never shared."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.jobs import parallel
from ecweb_core.jobs.catalog import CATALOG
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job, run_part
from ecweb_core.models import DunningRecord, Job, JobChunk, JobTarget, Operator
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    monkeypatch.setenv("ECWEB_JOB_LEASE_S", "1")
    generate(empty_engine, 300, seed=5, now=DEMO_NOW)
    yield empty_engine


def _job(engine: Engine) -> int:
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        return int(register_job(s, "dunning", op, Selection(filter=parse_filter({}), all_results=True), {}).id or 0)


def _once(engine: Engine, job_id: int) -> None:
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None and (job.status, job.done_count, job.succeeded) == ("done", 300, 300)
        per_order = s.execute(select(DunningRecord.order_id, func.count()).group_by(DunningRecord.order_id)).all()
        assert len(per_order) == 300 and {n for _, n in per_order} == {1}
        assert s.execute(select(func.count()).where(JobTarget.outcome.is_(None))).scalar_one() == 0
        assert (
            s.execute(select(func.count()).where(JobChunk.job_id == job_id, JobChunk.done.is_(False))).scalar_one() == 0
        )


def test_helpers_share_the_chunks_and_the_job_finishes_once(engine: Engine) -> None:
    job_id = _job(engine)
    helpers: list[threading.Thread] = []
    ran: list[int] = []

    def send_parts(jid: int, n: int) -> None:
        for _ in range(n):
            t = threading.Thread(target=lambda: ran.append(run_part(engine, jid, pause_s=0.01)))
            t.start()
            helpers.append(t)

    notes: list[dict[str, Any]] = []
    summary = run_job(engine, job_id, notify=notes.append, chunk_size=20, pause_s=0.01, send_parts=send_parts, parts=2)
    for t in helpers:
        t.join(timeout=60)
    assert summary.status == "done"
    _once(engine, job_id)
    with Session(engine) as s:
        assert s.execute(select(func.count()).where(JobChunk.job_id == job_id)).scalar_one() == 15
    assert len(ran) == 2 and sum(ran) > 0  # the helpers did part of the work
    assert [n["event"] for n in notes].count("done") == 1


def test_a_chunk_of_a_dead_helper_is_claimed_again(engine: Engine) -> None:
    job_id = _job(engine)
    taken: list[tuple[int, list[int]] | None] = []

    def send_parts(jid: int, n: int) -> None:
        taken.append(parallel.claim(engine, jid, "helper-that-dies"))  # claimed, never run, never renewed

    summary = run_job(engine, job_id, chunk_size=50, send_parts=send_parts, parts=1)
    assert summary.status == "done" and taken and taken[0] is not None
    _once(engine, job_id)


def test_a_second_plan_of_the_same_job_changes_nothing(engine: Engine) -> None:
    job_id = _job(engine)
    assert parallel.plan(engine, job_id, 40) == 8
    assert parallel.plan(engine, job_id, 7) == 8
    with Session(engine) as s:
        ranges = s.execute(select(JobChunk.first_id, JobChunk.last_id).order_by(JobChunk.no)).all()
        targets = list(s.execute(select(JobTarget.order_id).order_by(JobTarget.order_id)).scalars())
    assert ranges[0][0] == targets[0] and ranges[-1][1] == targets[-1]
    assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_ordered_file_kinds_are_never_shared(engine: Engine) -> None:
    assert {k for k, kind in CATALOG.items() if not kind.parallel} == {"csv_export", "pdf_export", "survey_csv"}


def test_stop_of_a_shared_job_waits_for_the_helpers_chunks(engine: Engine) -> None:
    """中止 (issue 18) with helpers: they claim no more, the chunk a helper holds finishes, and the
    coordinator then ends the job 中止 with every order either done once or 未処理."""
    from sqlalchemy import update

    from ecweb_core.models.common import utcnow

    job_id = _job(engine)
    helpers: list[threading.Thread] = []
    ran: list[int] = []

    def send_parts(jid: int, n: int) -> None:
        for _ in range(n):
            t = threading.Thread(target=lambda: ran.append(run_part(engine, jid, pause_s=0.05)))
            t.start()
            helpers.append(t)
        with engine.begin() as conn:  # asked while the helpers work
            conn.execute(update(Job).where(Job.id == jid).values(stop_requested_at=utcnow()))

    summary = run_job(engine, job_id, chunk_size=20, pause_s=0.05, send_parts=send_parts, parts=2)
    for t in helpers:
        t.join(timeout=60)
    assert summary.status == "cancelled"
    with Session(engine) as s:
        job = s.get(Job, job_id)
        done = s.execute(select(func.count()).where(JobTarget.job_id == job_id, JobTarget.outcome.is_not(None)))
        recorded = done.scalar_one()
        per_order = s.execute(select(DunningRecord.order_id, func.count()).group_by(DunningRecord.order_id)).all()
    assert job is not None and job.status == "cancelled" and job.succeeded == recorded < 300
    assert {n for _, n in per_order} <= {1} and len(per_order) == recorded  # nothing twice, nothing lost
