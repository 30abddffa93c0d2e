"""自動化設定 (SPEC A1–A5) on real databases: every event from every source, ordering, uniqueness,
enable / disable, never retroactive, confirmed orders only, cycles stopped and reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.automation.engine import MAX_DEPTH, drain
from ecweb_core.automation.history import acknowledge_problems, list_runs, open_problem_count, problem_count
from ecweb_core.automation.rules import DUPLICATE, create_rule, delete_rule, list_rules, move_rule, set_enabled
from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import AutomationRun, Operator, Order, OrderEvent, PaymentMethod, Subscription
from ecweb_core.models.common import utcnow
from ecweb_core.order_edit import edit_order, parse_edit
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from ecweb_core.statuses import CANCELLED, CONFIRMED, DELIVERED, IN_PROGRESS, RETURNED, SHIPPED, UNKNOWN
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 60, seed=5, now=DEMO_NOW)
    with empty_engine.begin() as conn:  # a clean slate: confirmed, unshipped, no attention
        conn.execute(
            update(Order).values(
                status_id=CONFIRMED,
                ordered_at=DEMO_NOW,
                shipped_at=None,
                delivered_at=None,
                tracking_number=None,
                payment_status="authorized",
                shipping_list_exported=False,
                needs_attention=False,
            )
        )
    yield empty_engine


def _rule(engine: Engine, event: str, value: str, action: str, param: str, enabled: bool = True) -> int:
    with engine.begin() as conn:
        rule_id = create_rule(conn, {"event": event, "event_value": value, "action": action, "param": param})
        if enabled:
            set_enabled(conn, rule_id, True)
    return rule_id


def _ids(engine: Engine, n: int, offset: int = 0) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(Order.id).order_by(Order.id).offset(offset).limit(n)).scalars())


def _bulk(engine: Engine, ids: list[int], form: dict[str, Any]) -> None:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job_id = register_job(s, "bulk_update", op, Selection(filter=OrderFilter(), ticked=set(ids)), form).id  # type: ignore[arg-type]
    run_job(engine, job_id, chunk_size=7)  # type: ignore[arg-type]


def _edit(engine: Engine, order_id: int, form: dict[str, Any]) -> None:
    with engine.begin() as conn:
        edit_order(conn, order_id, parse_edit(conn, form), None)


def _event(engine: Engine, order_id: int, kind: str, value: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(OrderEvent.__table__).values(
                order_id=order_id, kind=kind, value=value, source="csv_export", created_at=utcnow()
            )
        )


def _runs(engine: Engine, rule_id: int | None = None) -> list[AutomationRun]:
    with Session(engine) as s:
        q = select(AutomationRun).order_by(AutomationRun.id)
        if rule_id is not None:
            q = q.where(AutomationRun.rule_id == rule_id)
        return list(s.execute(q).scalars())


def _order(engine: Engine, order_id: int) -> Order:
    with Session(engine) as s:
        return s.get(Order, order_id)  # type: ignore[return-value]


# ---- every event, from each source ------------------------------------------------------------

BULK_SOURCES = [
    ("status", str(SHIPPED), {"status_id": str(SHIPPED)}),
    ("status", str(CANCELLED), {"status_id": str(CANCELLED)}),
    ("shipped_at", "", {"shipped_at_mode": "set", "shipped_at": "2026-11-20"}),
    ("first_shipment", "", {"shipped_at_mode": "set", "shipped_at": "2026-11-20"}),
    ("delivered_at", "", {"delivered_at_mode": "set", "delivered_at": "2026-11-22"}),
    ("shipping_list", "", {"shipping_list": "exported"}),
]


@pytest.mark.parametrize(("event", "value", "form"), BULK_SOURCES)
def test_events_fire_from_bulk_update(engine: Engine, event: str, value: str, form: dict[str, Any]) -> None:
    rule = _rule(engine, event, value, "order_attention", "on")
    ids = _ids(engine, 9)
    _bulk(engine, ids, form)
    drain(engine)
    runs = _runs(engine, rule)
    assert sorted(r.order_id for r in runs) == ids and {r.outcome for r in runs} == {"ok"}
    assert all(_order(engine, i).needs_attention for i in ids)
    assert not _order(engine, _ids(engine, 1, offset=20)[0]).needs_attention


def test_payment_method_event_from_bulk_update(engine: Engine) -> None:
    with Session(engine) as s:
        bank = s.execute(select(PaymentMethod).where(PaymentMethod.code == "bank")).scalar_one()
        others = s.execute(select(Order.id).where(Order.payment_method_id != bank.id).limit(5)).scalars().all()
    rule = _rule(engine, "payment_method", str(bank.id), "order_attention", "on")
    _bulk(engine, list(others), {"payment_method_id": str(bank.id)})
    drain(engine)
    assert sorted(r.order_id for r in _runs(engine, rule)) == sorted(others)


SINGLE_SOURCES = [
    ("status", str(DELIVERED), {"status_id": str(DELIVERED)}),
    ("payment_status", "auth_failed", {"payment_status": "auth_failed"}),
    ("tracking_number", "", {"tracking_number": "1234-5678-9012"}),
    ("shipped_at", "", {"shipped_at": "2026-11-20"}),
    ("first_shipment", "", {"shipped_at": "2026-11-20"}),
    ("delivered_at", "", {"delivered_at": "2026-11-22"}),
]


@pytest.mark.parametrize(("event", "value", "form"), SINGLE_SOURCES)
def test_events_fire_from_single_edit(engine: Engine, event: str, value: str, form: dict[str, Any]) -> None:
    rule = _rule(engine, event, value, "order_attention", "on")
    order_id = _ids(engine, 1)[0]
    _edit(engine, order_id, form)
    drain(engine)
    assert [(r.order_id, r.outcome) for r in _runs(engine, rule)] == [(order_id, "ok")]
    assert _order(engine, order_id).needs_attention


def test_shipping_list_exported_event_from_csv_export(engine: Engine) -> None:
    rule = _rule(engine, "shipping_list", "", "change_status", str(SHIPPED))
    order_id = _ids(engine, 1)[0]
    _event(engine, order_id, "shipping_list_exported", "出力済")  # what CSV一括出力 「出荷リスト出力用」 writes
    drain(engine)
    assert [r.outcome for r in _runs(engine, rule)] == ["ok"]
    assert _order(engine, order_id).status_id == SHIPPED


def test_events_fire_from_another_rule_and_chain_to_a_fixed_point(engine: Engine) -> None:
    ship = _rule(engine, "tracking_number", "", "change_status", str(SHIPPED))  # 配送伝票番号 → 発送完了
    deliver = _rule(engine, "status", str(SHIPPED), "change_status", str(DELIVERED))  # 発送完了 → 配送完了
    flag = _rule(engine, "status", str(DELIVERED), "order_attention", "on")  # 配送完了 → 要対応
    order_id = _ids(engine, 1)[0]
    _edit(engine, order_id, {"tracking_number": "T-1"})
    summary = drain(engine)
    assert summary.rounds == 3
    o = _order(engine, order_id)
    assert o.status_id == DELIVERED and o.needs_attention
    runs = _runs(engine)
    assert [r.rule_id for r in runs] == [ship, deliver, flag]
    assert len({r.origin_event_id for r in runs}) == 1  # one originating change
    with Session(engine) as s:
        sources = s.execute(select(OrderEvent.source).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))
        assert list(sources.scalars()) == ["ui", f"rule:{ship}", f"rule:{deliver}"]


# ---- ordering, uniqueness, enable / disable ------------------------------------------------------


def test_rules_run_top_to_bottom(engine: Engine) -> None:
    a = _rule(engine, "shipped_at", "", "change_status", str(RETURNED))
    b = _rule(engine, "first_shipment", "", "change_status", str(UNKNOWN))
    ids = _ids(engine, 3)
    _bulk(engine, ids, {"shipped_at_mode": "set", "shipped_at": "2026-11-20"})
    drain(engine)
    assert {_order(engine, i).status_id for i in ids} == {UNKNOWN}  # b ran last
    with engine.begin() as conn:
        move_rule(conn, b, "top")
        assert [r.id for r in list_rules(conn)] == [b, a]
    more = _ids(engine, 3, offset=10)
    _bulk(engine, more, {"shipped_at_mode": "set", "shipped_at": "2026-11-20"})
    drain(engine)
    assert {_order(engine, i).status_id for i in more} == {RETURNED}  # now a runs last


def test_reorder_top_bottom_up_down_and_drop(engine: Engine) -> None:
    a = _rule(engine, "shipped_at", "", "order_attention", "on", enabled=False)
    b = _rule(engine, "delivered_at", "", "order_attention", "on", enabled=False)
    c = _rule(engine, "tracking_number", "", "order_attention", "on", enabled=False)
    with engine.begin() as conn:
        order = lambda: [r.id for r in list_rules(conn)]  # noqa: E731
        assert order() == [a, b, c]
        move_rule(conn, a, "bottom")
        assert order() == [b, c, a]
        move_rule(conn, a, "up")
        assert order() == [b, a, c]
        move_rule(conn, b, "down")
        assert order() == [a, b, c]
        move_rule(conn, c, 0)  # dropped at the top
        assert order() == [c, a, b]
        delete_rule(conn, a)
        assert order() == [c, b] and [r.position for r in list_rules(conn)] == [1, 2]


def test_same_event_and_action_cannot_be_registered_twice(engine: Engine) -> None:
    _rule(engine, "status", str(SHIPPED), "send_mail", "system:商品発送完了メール")
    with engine.begin() as conn, pytest.raises(FormError) as err:
        create_rule(
            conn,
            {"event": "status", "event_value": str(SHIPPED), "action": "send_mail", "param": "system:注文完了メール"},
        )
    assert err.value.errors == {"action": DUPLICATE}
    # Another value of the event, or another action, is a different rule.
    _rule(engine, "status", str(DELIVERED), "send_mail", "system:商品発送完了メール")
    _rule(engine, "status", str(SHIPPED), "order_attention", "on")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"event": "", "action": "order_attention", "param": "on"}, "event"),
        (
            {"event": "status", "event_value": str(IN_PROGRESS), "action": "order_attention", "param": "on"},
            "event_value",
        ),
        ({"event": "shipped_at", "action": "pay", "param": "capture"}, "action"),
        ({"event": "shipped_at", "action": "order_attention", "param": "maybe"}, "param"),
    ],
)
def test_bad_rule_forms_are_refused(engine: Engine, form: dict[str, str], field: str) -> None:
    with engine.begin() as conn, pytest.raises(FormError) as err:
        create_rule(conn, form)
    assert field in err.value.errors
    with engine.connect() as conn:
        assert list_rules(conn) == []


def test_disabled_rule_does_not_fire_and_re_enabling_is_not_retroactive(engine: Engine) -> None:
    rule = _rule(engine, "status", str(SHIPPED), "order_attention", "on", enabled=False)
    first = _ids(engine, 3)
    _bulk(engine, first, {"status_id": str(SHIPPED)})
    drain(engine)
    assert _runs(engine) == []
    _bulk(engine, _ids(engine, 3, offset=3), {"status_id": str(SHIPPED)})  # while disabled, not yet drained
    with engine.begin() as conn:
        set_enabled(conn, rule, True)
    drain(engine)
    assert _runs(engine) == []  # those changes happened before the rule was enabled
    later = _ids(engine, 3, offset=6)
    _bulk(engine, later, {"status_id": str(SHIPPED)})
    with engine.begin() as conn:
        set_enabled(conn, rule, False)
    drain(engine)
    assert _runs(engine) == []  # disabled again before the drain: not applied
    with engine.begin() as conn:
        set_enabled(conn, rule, True)
    more = _ids(engine, 3, offset=9)
    _bulk(engine, more, {"status_id": str(SHIPPED)})
    drain(engine)
    assert sorted(r.order_id for r in _runs(engine)) == more


def test_only_confirmed_orders(engine: Engine) -> None:
    rule = _rule(engine, "tracking_number", "", "order_attention", "on")
    in_progress, no_date, confirmed = _ids(engine, 3)
    with engine.begin() as conn:
        conn.execute(update(Order).where(Order.id == in_progress).values(status_id=IN_PROGRESS, ordered_at=None))
        conn.execute(update(Order).where(Order.id == no_date).values(ordered_at=None))  # 与信審査エラー, no 受注日
    for oid in (in_progress, no_date, confirmed):
        _edit(engine, oid, {"tracking_number": "X"})
    drain(engine)
    assert [r.order_id for r in _runs(engine, rule)] == [confirmed]
    with Session(engine) as s:  # the events were drained all the same: nothing left behind
        assert s.execute(select(OrderEvent.id).where(OrderEvent.processed_at.is_(None))).first() is None


def test_subscription_status_action(engine: Engine) -> None:
    rule = _rule(engine, "status", str(CANCELLED), "subscription_status", "paused")
    with Session(engine) as s:
        sub_order = s.execute(select(Order.id).where(Order.subscription_id.is_not(None))).scalars().first()
        plain = s.execute(select(Order.id).where(Order.subscription_id.is_(None))).scalars().first()
        sub_id = s.get(Order, sub_order).subscription_id  # type: ignore[union-attr]
        s.execute(update(Subscription).where(Subscription.id == sub_id).values(status="active"))
        s.commit()
    _bulk(engine, [sub_order, plain], {"status_id": str(CANCELLED)})  # type: ignore[list-item]
    drain(engine)
    outcomes = {r.order_id: r.outcome for r in _runs(engine, rule)}
    assert outcomes == {sub_order: "ok", plain: "skipped"}
    with Session(engine) as s:
        sub = s.get(Subscription, _order(engine, sub_order).subscription_id)  # type: ignore[arg-type]
        assert sub is not None and sub.status == "paused" and sub.status_reason == "自動化設定"
        # The change is an event of the order's subscription, continuing the rule's chain.
        status_event = s.execute(
            select(OrderEvent).where(OrderEvent.order_id == sub_order, OrderEvent.kind == "status_changed")
        ).scalar_one()
        sub_event = s.execute(select(OrderEvent).where(OrderEvent.kind == "subscription_status_changed")).scalar_one()
        assert (sub_event.order_id, sub_event.value, sub_event.source) == (
            sub_order,
            "停止(自動化設定)",
            f"rule:{rule}",
        )
        assert (sub_event.origin_event_id, sub_event.depth) == (status_event.id, 1)


# ---- cycles and depth -------------------------------------------------------------------------


def test_a_cycle_of_rules_ends_and_is_reported(engine: Engine) -> None:
    a = _rule(engine, "shipping_list", "", "change_status", str(SHIPPED))  # start: X = 発送完了
    b = _rule(engine, "status", str(SHIPPED), "change_status", str(DELIVERED))  # X → Y
    c = _rule(engine, "status", str(DELIVERED), "change_status", str(UNKNOWN))  # Y → Z
    d = _rule(engine, "status", str(UNKNOWN), "change_status", str(SHIPPED))  # Z → X again
    order_id = _ids(engine, 1)[0]
    _bulk(engine, [order_id], {"shipping_list": "exported"})
    summary = drain(engine)
    assert summary.runs.get("cycle") == 1
    runs = _runs(engine)
    assert [(r.rule_id, r.outcome) for r in runs] == [(a, "ok"), (b, "ok"), (c, "ok"), (d, "ok"), (b, "cycle")]
    assert f"#{b} → #{c} → #{d} → #{b}" in (runs[-1].message or "")
    assert _order(engine, order_id).status_id == SHIPPED  # stopped where the cycle closed
    with engine.connect() as conn:
        assert problem_count(conn) == 1
        shown = list_runs(conn, page=1, page_size=20, problems_only=True)
        assert [r.outcome for r in shown] == ["循環を検出"] and "循環" in shown[0].message
        assert conn.execute(select(OrderEvent.id).where(OrderEvent.processed_at.is_(None))).first() is None
    # The operator acknowledges it: the callout's count drops, the 実行履歴 keeps the run, marked 確認済.
    with engine.begin() as conn:
        assert open_problem_count(conn) == 1
        assert acknowledge_problems(conn) == 1
    with engine.begin() as conn:
        assert open_problem_count(conn) == 0 and problem_count(conn) == 1
        assert [r.acknowledged for r in list_runs(conn, page=1, page_size=20, problems_only=True)] == [True]
        assert acknowledge_problems(conn) == 0


def test_each_rule_runs_once_per_order_and_origin_but_again_for_a_new_change(engine: Engine) -> None:
    b = _rule(engine, "status", str(SHIPPED), "change_status", str(DELIVERED))
    _rule(engine, "status", str(DELIVERED), "change_status", str(SHIPPED))
    order_id = _ids(engine, 1)[0]
    _edit(engine, order_id, {"status_id": str(SHIPPED)})
    drain(engine)
    _edit(engine, order_id, {"status_id": str(SHIPPED)})  # already 発送完了: no change, no event
    _edit(engine, order_id, {"status_id": str(CONFIRMED)})
    _edit(engine, order_id, {"status_id": str(SHIPPED)})  # a new change: the rules run again, once
    drain(engine)
    assert [r.outcome for r in _runs(engine, b)] == ["ok", "cycle", "ok", "cycle"]


def test_depth_limit_stops_a_long_chain(engine: Engine) -> None:
    # A chain already MAX_DEPTH rules deep (each status a rule sets is one step deeper).
    rule = _rule(engine, "tracking_number", "", "order_attention", "on")
    order_id = _ids(engine, 1)[0]
    with engine.begin() as conn:
        conn.execute(
            insert(OrderEvent.__table__).values(
                order_id=order_id, kind="tracking_number_set", value="x", source="rule:0", created_at=utcnow(),
                origin_event_id=1, depth=MAX_DEPTH,
            )
        )  # fmt: skip
    drain(engine)
    assert [r.outcome for r in _runs(engine, rule)] == ["depth_limit"]
    assert not _order(engine, order_id).needs_attention


def test_rule_ids_are_never_reused(engine: Engine) -> None:
    """The history and the mail dedupe keys name a rule by id: a deleted rule's id stays retired."""
    first = _rule(engine, "shipped_at", "", "order_attention", "on")
    with engine.begin() as conn:
        delete_rule(conn, first)
    assert _rule(engine, "shipped_at", "", "order_attention", "on") > first
