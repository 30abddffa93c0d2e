"""The catalog of job kinds and the UI's registry agree: every kind has its toolbar button and
dialog, every dialog its kind; an unknown kind is bad input, not a crash."""

from __future__ import annotations

import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb.components.bulk_actions import BULK_ACTIONS, BulkAction, Planned
from ecweb_core.jobs.catalog import CATALOG, JOB_ACTOR, JOB_EXHAUSTED_ACTOR, job_message
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.models import Job, JobTarget, Operator
from ecweb_core.selection import Selection
from workers.actors import declare_actors


def test_every_kind_has_one_dialog_and_every_dialog_a_kind() -> None:
    kinds = [a.kind for a in BULK_ACTIONS if isinstance(a, BulkAction)]
    assert sorted(kinds) == sorted(CATALOG), "a kind without a dialog, or a dialog without a kind"
    assert len(kinds) == len(set(kinds))
    planned = {a.label for a in BULK_ACTIONS if isinstance(a, Planned)}
    assert not planned & {k.label for k in CATALOG.values()}, "a built kind still listed as planned"


def test_the_toolbar_lists_the_seven_operations_of_the_spec_in_order() -> None:
    labels = [CATALOG[a.kind].label if isinstance(a, BulkAction) else a.label for a in BULK_ACTIONS]
    assert labels == ["一括更新", "CSV一括出力", "PDF一括出力", "一括督促", "メール一括通知", "決済状況一括変更",
                      "アンケート結果CSV一括出力"]  # fmt: skip


def test_each_kind_declares_how_its_messages_run() -> None:
    broker = StubBroker()
    declare_actors(broker)
    assert {JOB_ACTOR, JOB_EXHAUSTED_ACTOR} <= set(broker.get_declared_actors())
    for key, kind in CATALOG.items():
        message = job_message(key, 7)
        assert message["actor_name"] == JOB_ACTOR and message["args"] == (7,)
        assert message["queue_name"] in broker.get_declared_queues()
        options = message["options"]
        assert options["on_retry_exhausted"] == JOB_EXHAUSTED_ACTOR
        assert options["max_retries"] == kind.max_retries and options["time_limit"] == kind.time_limit_ms
    broker.close()


def test_an_unknown_kind_is_refused_in_japanese_and_registers_nothing(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        with pytest.raises(ParamError) as info:
            register_job(s, "refund", op, Selection(all_results=True), {})  # type: ignore[arg-type]
        assert info.value.errors == {"kind": "処理の種類が正しくありません。"}
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(JobTarget)).scalar_one() == 0
    with pytest.raises(ParamError):
        job_message("refund", 1)
