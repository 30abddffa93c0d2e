"""Actors on a StubBroker in this process, with the notes going to a real Redis list."""

from __future__ import annotations

import json
from collections.abc import Iterator

import dramatiq
import pytest
import redis
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.jobs.catalog import JOB_ACTOR, job_message
from ecweb_core.jobs.register import register_job
from ecweb_core.models import DunningRecord, Job, Operator
from ecweb_core.notes import NOTES_QUEUE
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from workers.actors import declare_actors


@pytest.fixture
def stub(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[StubBroker]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    broker = StubBroker()
    broker.add_middleware(CurrentMessage())
    broker.emit_after("process_boot")
    declare_actors(broker)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    yield broker
    worker.stop()
    broker.close()


def _register(engine: Engine, form: dict[str, str]) -> int:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        return register_job(s, "dunning", op, Selection(filter=parse_filter({}), all_results=True), form).id  # type: ignore[arg-type]


def _notes(url: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(n) for n in redis.Redis.from_url(url).lrange(NOTES_QUEUE, 0, -1)]


def test_actor_runs_the_job_and_queues_notes(engine: Engine, env: str, stub) -> None:  # type: ignore[no-untyped-def]
    broker = stub
    job_id = _register(engine, {"memo": "入金確認のお願い"})
    broker.enqueue(dramatiq.Message(**job_message("dunning", job_id)))
    broker.join("jobs", fail_fast=True)
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None and (job.status, job.succeeded, job.failed) == ("done", 120, 0)
        assert s.execute(select(func.count()).select_from(DunningRecord)).scalar_one() == 120
    notes = [n for n in _notes(env) if n["job_id"] == job_id]
    assert [n["event"] for n in notes][0] == "started" and notes[-1]["event"] == "done"
    assert notes[-1]["message"] == "受注 一括督促 を完了しました。" and notes[-1]["succeeded"] == 120


def test_exhausted_retries_mark_the_job_failed_and_say_so(engine: Engine, env: str, stub) -> None:  # type: ignore[no-untyped-def]
    broker = stub
    job_id = _register(engine, {})
    with Session(engine) as s:  # params the runner cannot read: every attempt raises
        s.execute(update(Job).where(Job.id == job_id).values(params="{broken"))
        s.commit()
    message = job_message("dunning", job_id)
    assert message["actor_name"] == JOB_ACTOR and message["options"]["max_retries"] == 5
    broker.enqueue(dramatiq.Message(**{**message, "options": {**message["options"], "max_retries": 0}}))
    broker.join("jobs", fail_fast=False)  # the job message is dead-lettered; its exhausted note is processed
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None and job.status == "failed" and "JSONDecodeError" in (job.error or "")
    assert _notes(env)[-1]["message"] == "受注 一括督促 に失敗しました。ジョブ管理画面をご確認ください。"
