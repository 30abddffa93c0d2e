"""受注詳細's 履歴 in words and its point figures (issue 18, item 8), on real databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.history import order_history
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import Operator, Order, OrderStatus
from ecweb_core.order_detail import load_order_detail
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from ecweb_core.statuses import DELIVERED, SHIPPED
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 40, seed=3, now=DEMO_NOW)
    yield empty_engine


def _status(engine: Engine, order_id: int, status_id: int) -> int:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        sel = Selection(filter=parse_filter({}), ticked={order_id})
        job = register_job(s, "bulk_update", int(op), sel, {"status_id": str(status_id)})  # type: ignore[arg-type]
        job_id = int(job.id)  # type: ignore[arg-type]
    run_job(engine, job_id)
    return job_id


def test_history_names_the_job_the_operator_and_old_to_new(engine: Engine) -> None:
    with Session(engine) as s:
        order_id = s.execute(select(Order.id).where(Order.status_id.not_in((SHIPPED, DELIVERED)))).scalars().first()
        names = dict(s.execute(select(OrderStatus.id, OrderStatus.name)).all())
        operator = s.execute(select(Operator.name)).scalars().first()
    first = _status(engine, order_id, SHIPPED)  # type: ignore[arg-type]
    second = _status(engine, order_id, DELIVERED)  # type: ignore[arg-type]
    with Session(engine) as s:
        rows = [r for r in order_history(s, order_id) if r[1] == "対応状況変更"]  # type: ignore[arg-type]
        detail = load_order_detail(s, order_id)  # type: ignore[arg-type]
    assert rows[0][2:] == [f"{names[SHIPPED]} → {names[DELIVERED]}", f"一括更新 #{second}", operator, str(second)]
    assert rows[1][2:] == [names[SHIPPED], f"一括更新 #{first}", operator, str(first)]
    assert detail is not None and detail.events[0][3].startswith("一括更新 #")


def test_points_used_zero_is_not_negative(engine: Engine) -> None:
    with Session(engine) as s:
        order_id = s.execute(select(Order.id)).scalars().first()
        s.execute(update(Order).where(Order.id == order_id).values(points_used=0))
        s.commit()
        totals = dict(map(tuple, load_order_detail(s, order_id).totals))  # type: ignore[arg-type,union-attr]
        assert totals["利用ポイント"] == "0 pt"
        s.execute(update(Order).where(Order.id == order_id).values(points_used=1200))
        s.commit()
        totals = dict(map(tuple, load_order_detail(s, order_id).totals))  # type: ignore[arg-type,union-attr]
        assert totals["利用ポイント"] == "-1,200 pt"
