"""自動化設定's 決済処理を実行する through the same payment code and ledger as 決済状況一括変更, against
the real sandbox provider: the seed's example (支払い方法が「代金引換」になったとき → 再オーソリ処理),
a capture by rule made once, and a cycle of payment rules stopped instead of looping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.automation.engine import drain
from ecweb_core.automation.rules import create_rule, set_enabled
from ecweb_core.demo import generate
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import AutomationRun, Operator, Order, OrderEvent, PaymentMethod
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from ecweb_core.statuses import CONFIRMED, SHIPPED
from tests.conftest import DEMO_NOW
from tests.payment_provider import Provider


@pytest.fixture
def engine(empty_engine: Engine, provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", provider.url)
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 30, seed=6, now=DEMO_NOW)
    with empty_engine.begin() as conn:  # confirmed card orders, no provider transaction yet
        credit = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
        conn.execute(
            update(Order).values(
                status_id=CONFIRMED,
                ordered_at=DEMO_NOW,
                payment_method_id=credit,
                payment_status="unpaid",
                payment_ref=None,
                shipped_at=None,
            )  # fmt: skip
        )
    return empty_engine


def _job(engine: Engine, kind: str, ids: list[int], form: dict[str, Any]) -> None:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job_id = register_job(s, kind, op, Selection(filter=OrderFilter(), ticked=set(ids)), form).id  # type: ignore[arg-type]
    run_job(engine, int(job_id or 0))


def _rule(engine: Engine, event: str, action: str, param: str) -> int:
    with engine.begin() as conn:
        rule_id = create_rule(conn, {"event": event, "action": action, "param": param})
        set_enabled(conn, rule_id, True)
    return rule_id


def _ids(engine: Engine, n: int) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(Order.id).order_by(Order.id).limit(n)).scalars())


def _runs(engine: Engine, rule_id: int) -> list[AutomationRun]:
    with Session(engine) as s:
        return list(s.execute(select(AutomationRun).where(AutomationRun.rule_id == rule_id)).scalars())


def _order(engine: Engine, order_id: int) -> Order:
    with Session(engine) as s:
        return s.get(Order, order_id)  # type: ignore[return-value]


def test_the_seeds_example_cod_reauthorizes(engine: Engine, provider: Provider) -> None:
    ids = _ids(engine, 3)
    _job(engine, "payment", ids, {"process": "reauthorize"})  # card authorizations at the provider
    drain(engine)
    with engine.connect() as conn:
        cod = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "cod")).scalar_one()
    rule = _rule(engine, f"payment_method|{cod}", "payment", "reauthorize")
    _job(engine, "bulk_update", ids, {"payment_method_id": str(cod)})
    drain(engine)
    runs = _runs(engine, rule)
    assert sorted(r.order_id for r in runs) == ids and {r.outcome for r in runs} == {"ok"}
    for order_id in ids:
        o = _order(engine, order_id)
        assert (o.payment_status, o.payment_ref) == ("unpaid", None)
        (tx,) = provider.transactions(o.number)
        assert tx["status"] == "cancelled"  # the card authorization was released at the provider
    drain(engine)
    assert len(_runs(engine, rule)) == 3


def test_a_capture_rule_captures_once_and_its_status_event_fires_the_next_rule(
    engine: Engine, provider: Provider
) -> None:
    ids = _ids(engine, 2)
    _job(engine, "payment", ids, {"process": "reauthorize"})
    drain(engine)
    capture = _rule(engine, f"status|{SHIPPED}", "payment", "capture")
    then = _rule(engine, "payment_status|captured", "order_attention", "on")
    _job(engine, "bulk_update", ids, {"status_id": str(SHIPPED)})
    drain(engine)
    drain(engine)
    assert {r.outcome for r in _runs(engine, capture)} == {"ok"} and len(_runs(engine, capture)) == 2
    assert {r.outcome for r in _runs(engine, then)} == {"ok"} and len(_runs(engine, then)) == 2
    ops = provider.operations()
    for order_id in ids:
        o = _order(engine, order_id)
        assert o.payment_status == "captured" and o.needs_attention
        assert ops[(o.number, "capture")] == 1
        with Session(engine) as s:  # the status event continues the rule's chain
            e = s.execute(
                select(OrderEvent).where(
                    OrderEvent.order_id == order_id,
                    OrderEvent.kind == "payment_status_changed",
                    OrderEvent.value == "売上完了",
                )  # fmt: skip
            ).scalar_one()
        assert e.source == f"rule:{capture}" and e.depth == 1


def test_a_cycle_of_payment_rules_stops(engine: Engine, provider: Provider) -> None:
    """取消完了 → 再オーソリ, 仮売上完了 → 取消: without the engine's cycle check this would call the
    provider for ever."""
    (order_id,) = _ids(engine, 1)
    _job(engine, "payment", [order_id], {"process": "reauthorize"})
    drain(engine)
    again = _rule(engine, "payment_status|cancelled", "payment", "reauthorize")
    cancel = _rule(engine, "payment_status|authorized", "payment", "cancel")
    _job(engine, "payment", [order_id], {"process": "cancel"})
    for _ in range(3):
        drain(engine)
    outcomes = [r.outcome for r in _runs(engine, again)] + [r.outcome for r in _runs(engine, cancel)]
    assert "cycle" in outcomes
    number = _order(engine, order_id).number
    ops = provider.operations(number)
    assert ops[(number, "authorize")] <= 3 and ops[(number, "cancel")] <= 3
