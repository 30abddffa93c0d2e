"""The automation engine: drains the order-event outbox and applies the enabled rules.

One round claims a batch of unprocessed events (processed_at NULL) and, rule by rule from the top
of the list, applies each rule to the events it matches, all in one transaction. Events the rules
write (a status a rule set) carry the chain's origin and depth + 1 and are drained in the next
round, until no new event is left: a fixed point. Where the seed's rules could loop for ever,
here a rule runs at most once per order and origin (a second time is a cycle: stopped and
recorded) and a chain stops at MAX_DEPTH."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, and_, func, insert, literal, select, update
from sqlalchemy.engine import Connection, Engine

from ecweb_core.automation.actions import ACTION_FUNCS, Ev
from ecweb_core.automation.catalog import EVENTS
from ecweb_core.automation.rules import rule_label
from ecweb_core.models import AutomationRule, AutomationRun, Order, OrderEvent, OrderStatus, PaymentMethod
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import IN_PROGRESS, PAYMENT_STATUSES

log = logging.getLogger(__name__)
MAX_DEPTH = 8
BATCH_SIZE = 2000
MAX_DEFERRED_PASSES = 10  # a deferred run's event can match again; the depth limit ends such chains
EVENTS_T = OrderEvent.__table__
RUNS = AutomationRun.__table__
ORDERS = Order.__table__
CYCLE = "cycle"
DEPTH_LIMIT = "depth_limit"


@dataclass
class Rule:
    id: int
    action: str
    param: str
    enabled_at: datetime
    label: str
    order_event: str
    values: frozenset[str]  # accepted OrderEvent.value (empty: any)

    def matches(self, e: Ev) -> bool:
        return (
            e.kind == self.order_event
            and e.created_at >= self.enabled_at
            and (not self.values or (e.value or "") in self.values)
        )


@dataclass
class DrainSummary:
    events: int = 0
    rounds: int = 0
    runs: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, n: int = 1) -> None:
        self.runs[outcome] = self.runs.get(outcome, 0) + n


def load_rules(conn: Connection) -> list[Rule]:
    """The enabled rules, top to bottom, with the event values each accepts (a status by its id or
    its name, a payment status by code or label, a payment method by id, code or name)."""
    statuses = {str(i): n for i, n in conn.execute(select(OrderStatus.id, OrderStatus.name))}
    methods = {
        str(i): (c, n) for i, c, n in conn.execute(select(PaymentMethod.id, PaymentMethod.code, PaymentMethod.name))
    }
    rules = []
    t = AutomationRule.__table__
    rows = conn.execute(select(t).where(t.c.enabled.is_(True)).order_by(t.c.position, t.c.id)).all()
    for r in rows:
        kind = EVENTS.get(r.event)
        if kind is None or r.action not in ACTION_FUNCS or r.enabled_at is None:
            continue
        values: set[str] = set()
        if r.event == "status":
            values = {r.event_value, statuses.get(r.event_value, r.event_value)}
        elif r.event == "payment_status":
            values = {r.event_value, PAYMENT_STATUSES.get(r.event_value, r.event_value)}
        elif r.event == "payment_method":
            values = {r.event_value, *methods.get(r.event_value, ())}
        label = rule_label(conn, r)
        rules.append(Rule(r.id, r.action, r.param, r.enabled_at, label, kind.order_event, frozenset(values)))
    return rules


def _claim(conn: Connection, limit: int, now: datetime) -> list[int]:
    """Marks the oldest unprocessed events as processed, in this transaction: a crash rolls the
    claim back with the work; a concurrent worker skips them (PostgreSQL) or waits (SQLite)."""
    pick = select(EVENTS_T.c.id).where(EVENTS_T.c.processed_at.is_(None)).order_by(EVENTS_T.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claimed = conn.execute(
        update(EVENTS_T)
        .where(EVENTS_T.c.id.in_(pick.scalar_subquery()), EVENTS_T.c.processed_at.is_(None))
        .values(processed_at=now)
        .returning(EVENTS_T.c.id)
    )
    return sorted(claimed.scalars())


def _load_events(conn: Connection, ids: list[int]) -> list[Ev]:
    """The claimed events of confirmed orders (A4: 注文中 orders and orders without 受注日 have none)."""
    e, o = EVENTS_T.c, ORDERS.c
    rows = conn.execute(
        select(e.id, e.order_id, e.kind, e.value, e.created_at, e.origin_event_id, e.depth, o.subscription_id)
        .join_from(EVENTS_T, ORDERS, o.id == e.order_id)
        .where(in_ids(conn, e.id, ids), o.status_id != IN_PROGRESS, o.ordered_at.is_not(None))
        .order_by(e.id)
    )
    return [Ev(i, oid, k, v, at, origin or i, depth or 0, sub) for i, oid, k, v, at, origin, depth, sub in rows]


def _already_ran(conn: Connection, rule_id: int, events: list[Ev]) -> set[tuple[int, int]]:
    """(order, origin) pairs this rule already ran for. Only chained events can have one: an
    origin event is new, and a claim rolled back takes its runs with it.

    Safe with concurrent drains: a chain returns to a rule's event only through events written
    after that rule's earlier run committed (each round writes the next round's events), so the
    earlier run is visible here; events of one (order, origin) in the same batch are deduplicated
    by the caller."""
    origins = sorted({e.origin for e in events if e.depth > 0})
    if not origins:
        return set()
    r = RUNS.c
    rows = conn.execute(
        select(r.order_id, r.origin_event_id).where(r.rule_id == rule_id, in_ids(conn, r.origin_event_id, origins))
    )
    return {(oid, origin) for oid, origin in rows}


def _cycle_message(conn: Connection, rule: Rule, e: Ev) -> str:
    r = RUNS.c
    chain = conn.execute(
        select(r.rule_id)
        .where(r.order_id == e.order_id, r.origin_event_id == e.origin, r.outcome != CYCLE)
        .order_by(r.id)
    ).scalars()
    path = " → ".join(f"#{i}" for i in [*chain, rule.id])
    return f"ルールの循環を検出したため停止しました({path})。同じ変更から同じルールは1回だけ実行されます。"


def _apply_rule(conn: Connection, rule: Rule, events: list[Ev], now: datetime) -> dict[int, Outcome]:
    seen: set[tuple[int, int]] = set()
    matched: list[Ev] = []
    for e in events:
        if rule.matches(e) and (e.order_id, e.origin) not in seen:
            seen.add((e.order_id, e.origin))
            matched.append(e)
    if not matched:
        return {}
    ran = _already_ran(conn, rule.id, matched)
    outcomes: dict[int, Outcome] = {}
    runnable: list[Ev] = []
    for e in matched:
        if (e.order_id, e.origin) in ran:
            outcomes[e.id] = (CYCLE, _cycle_message(conn, rule, e))
        elif e.depth >= MAX_DEPTH:
            outcomes[e.id] = (DEPTH_LIMIT, f"ルールの連鎖が上限({MAX_DEPTH}段)に達したため停止しました。")
        else:
            runnable.append(e)
    if runnable:
        outcomes.update(ACTION_FUNCS[rule.action](conn, rule.id, rule.param, runnable, now))
    return outcomes


def _record(conn: Connection, rule: Rule, outcomes: dict[int, Outcome], now: datetime) -> None:
    """The runs of one rule and batch: one INSERT … SELECT from the events per (outcome, message)
    group (usually one or two groups), not one row per order."""
    groups: dict[Outcome, list[int]] = defaultdict(list)
    for event_id, outcome in outcomes.items():
        groups[outcome].append(event_id)
    e = EVENTS_T.c
    for (outcome, message), event_ids in groups.items():
        pending = outcome == "pending"
        rows = select(
            literal(rule.id, Integer),
            literal(rule.label[:255], String),
            e.order_id,
            e.id,
            func.coalesce(e.origin_event_id, e.id),
            literal(outcome, String),
            literal((message or None) and message[:1000], String),
            literal(0, Integer),
            literal(now if pending else None, RUNS.c.next_attempt_at.type),
            literal(now, RUNS.c.created_at.type),
            literal(None if pending else now, RUNS.c.finished_at.type),
        ).where(in_ids(conn, e.id, event_ids))
        columns = ["rule_id", "rule_label", "order_id", "event_id", "origin_event_id", "outcome", "message",
                   "attempts", "next_attempt_at", "created_at", "finished_at"]  # fmt: skip
        conn.execute(insert(RUNS).from_select(columns, rows))


def drain_round(engine: Engine, summary: DrainSummary, batch_size: int = BATCH_SIZE) -> bool:
    """One batch of events through every enabled rule, in one transaction. False: nothing left."""
    now = utcnow()
    with engine.begin() as conn:
        ids = _claim(conn, batch_size, now)
        if not ids:
            return False
        summary.events += len(ids)
        rules = load_rules(conn)
        events = _load_events(conn, ids) if rules else []
        for rule in rules:
            outcomes = _apply_rule(conn, rule, events, now)
            if outcomes:
                _record(conn, rule, outcomes, now)
                for outcome, _ in outcomes.values():
                    summary.count(outcome)
    summary.rounds += 1
    return True


def drain(engine: Engine, batch_size: int = BATCH_SIZE, max_rounds: int | None = None) -> DrainSummary:
    """Drains the outbox to a fixed point (the events rules write are drained too), then makes the
    outside calls (mails, payments) the runs deferred — and drains again what those wrote (a payment's
    決済状況 is itself an event), until nothing is left. Safe to call from several workers at once."""
    from ecweb_core.automation.deferred import run_deferred

    summary = DrainSummary()
    for _ in range(MAX_DEFERRED_PASSES):
        while drain_round(engine, summary, batch_size):
            if max_rounds is not None and summary.rounds >= max_rounds:
                break
        ran = run_deferred(engine)
        for outcome, n in ran.items():
            summary.count(outcome, n)
        if not ran or (max_rounds is not None and summary.rounds >= max_rounds):
            break
    if summary.events:
        log.info("automation: %d events in %d rounds, runs %s", summary.events, summary.rounds, summary.runs)
    return summary


def next_retry_at(conn: Connection) -> datetime | None:
    """When the earliest mail run waiting for a retry is due (the worker schedules a drain then)."""
    r = RUNS.c
    return conn.execute(
        select(r.next_attempt_at)
        .where(and_(r.outcome.in_(("pending", "retry", "sending")), r.next_attempt_at.is_not(None)))
        .order_by(r.next_attempt_at)
        .limit(1)
    ).scalar_one_or_none()
