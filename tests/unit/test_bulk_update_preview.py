"""一括更新 says what it will refuse before it runs (issue 18, item 5): the preview counts, by the job's
own rules, exactly the orders the job then fails — and changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.jobs.bulk_update import CAPTURED_REFUSED, NP_SWITCH_REFUSED, preview_refusals
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import JobTarget, Operator, Order, PaymentMethod
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 300, seed=3, now=DEMO_NOW)
    yield empty_engine


def _snapshot(engine: Engine) -> list[tuple[int, int, str]]:
    with engine.connect() as conn:
        return list(conn.execute(select(Order.id, Order.payment_method_id, Order.payment_status).order_by(Order.id)))


@pytest.mark.parametrize("target", ["bank", "np_wiz"])
def test_preview_counts_what_the_job_refuses(engine: Engine, target: str) -> None:
    with Session(engine) as s:
        codes = dict(s.execute(select(PaymentMethod.code, PaymentMethod.id)).all())
        # Some NP後払い orders, one with its transaction cancelled: only that one may switch to wiz.
        not_captured = Order.payment_status != "captured"
        np_ids = list(s.execute(select(Order.id).where(Order.payment_method_id == codes["np"], not_captured)).scalars())
        if np_ids:
            s.execute(update(Order).where(Order.id == np_ids[0]).values(np_transaction_cancelled=True))
        s.commit()
    sel = Selection(filter=parse_filter({}), all_results=True)
    before = _snapshot(engine)
    with engine.connect() as conn:
        preview = preview_refusals(conn, {"payment_method_id": codes[target]}, sel.ids_select().scalar_subquery())
    assert _snapshot(engine) == before  # nothing changed
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "bulk_update", int(op or 0), sel, {"payment_method_id": str(codes[target])})
        job_id = int(job.id or 0)
    run_job(engine, job_id, chunk_size=100)
    with engine.connect() as conn:
        refused = Counter(
            dict(conn.execute(select(JobTarget.message, func.count()).where(JobTarget.job_id == job_id,
                                                                              JobTarget.outcome == "failed")
                              .group_by(JobTarget.message)).all())
        )  # fmt: skip
    assert {reason: n for _, reason, n in preview} == dict(refused)
    assert refused[CAPTURED_REFUSED] > 0
    if target == "np_wiz":
        assert refused[NP_SWITCH_REFUSED] > 0
    assert all(label == "失敗" for label, _, _ in preview)
