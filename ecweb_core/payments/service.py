"""決済状況一括変更 for a set of orders, in two phases (as Saleor's payment gateway: lock, record the
intent, then call):

1. `call_outside` — no database transaction open: each order's plan (processes.py); the provider
   calls claimed in the external-effect ledger (kind payment.<process>, the caller's dedupe key),
   made concurrently (ECWEB_PAYMENT_IN_FLIGHT at once) with an idempotency key derived from the
   claim, and recorded. A call claimed before is never made again: its recorded result is used, and
   one whose end is unknown is first asked of the provider (ledger reconciler → gateway.lookup).
2. `apply` — in the caller's transaction (the job's chunk, or a rule run): the 決済状況 and the
   order's provider transaction, the events (決済状況が「X」になったとき), points and subscription
   options, and each order's outcome.

Jobs (jobs/payment.py) and 自動化設定's 決済処理を実行する (automation/deferred.py) both use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.engine import Connection, Engine

from ecweb_core import events, ledger
from ecweb_core.models import Customer, Order, PaymentMethod, PointLedger, Subscription
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.payments.gateway import GatewayResult, PaymentGateway, get_gateway
from ecweb_core.payments.processes import INTERNAL, NP_CODES, PROCESSES, Call, OrderPayment, Plan, plan
from ecweb_core.settings import load_settings
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import PAYMENT_STATUSES
from ecweb_core.subscriptions.changes import SubscriptionEvents, count_down, recalculate

ORDERS = Order.__table__
UNKNOWN_BEFORE = "前回の決済サービスへの依頼の結果が不明のため、再度依頼していません。決済管理画面で確認してください。"
AFTER_CALL = {"authorize": "authorized", "reauthorize": "authorized", "capture": "captured", "cancel": "cancelled"}


def _label(process: str) -> str:
    return PROCESSES.get(process) or INTERNAL[process]


def ledger_kind(process: str) -> str:
    return f"payment.{process}"


def idempotency_key(kind: str, dedupe_key: str, order_id: int) -> str:
    """The provider's key of a claim: the same for every attempt of the same (process, key, order)."""
    return f"{kind}:{dedupe_key}:{order_id}"


def _gateway() -> PaymentGateway:
    settings = load_settings()
    return get_gateway(settings.payment_provider_url, settings.payment_timeout_s)


def _reconcile(kind: str, dedupe_key: str, order_id: int, provider_ref: str | None) -> ledger.Result | None:
    answer = _gateway().lookup(idempotency_key(kind, dedupe_key, order_id))
    return None if answer is None else answer.as_ledger()


for _process in (*PROCESSES, *INTERNAL):
    ledger.register_reconciler(ledger_kind(_process), _reconcile)


@dataclass(frozen=True)
class SubscriptionOptions:
    """取消処理 / 強制取消処理 of an order of a 定期受注 (seed: <定期受注の取消処理>)."""

    action: str = "none"  # none (変更なし) | paused (停止) | cancelled (キャンセル)
    reason: str | None = None
    count_down: bool = False  # 定期受注の定期回数を-1する
    recalculate: bool = False  # 定期受注を再計算する

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SubscriptionOptions:
        return cls(
            action=str(params.get("sub_action") or "none"),
            reason=params.get("sub_reason") or None,
            count_down=bool(params.get("count_down")),
            recalculate=bool(params.get("recalculate")),
        )


@dataclass(frozen=True)
class Effect:
    """An order's plan and, when it called the provider, what the call did."""

    plan: Plan
    order: OrderPayment
    result: GatewayResult | None = None


def load_orders(conn: Connection, order_ids: list[int]) -> dict[int, OrderPayment]:
    o, pm = ORDERS.c, PaymentMethod.__table__.c
    rows = conn.execute(
        select(
            o.id,
            o.number,
            o.customer_id,
            pm.code,
            o.payment_status,
            o.payment_ref,
            o.payment_ref_method,
            o.total,
            o.tracking_number,
            o.shipped_at,
            o.np_transaction_cancelled,
            o.subscription_id,
        )  # fmt: skip
        .join_from(ORDERS, PaymentMethod.__table__, pm.id == o.payment_method_id)
        .where(in_ids(conn, o.id, order_ids))
    )
    return {r[0]: OrderPayment(*r) for r in rows}


def call_outside(engine: Engine, process: str, order_ids: list[int], dedupe_key: str) -> dict[int, Effect]:
    """Phase 1, with no transaction held while the provider answers."""
    with engine.connect() as conn:
        orders = load_orders(conn, order_ids)
    effects = {oid: Effect(plan(process, o), o) for oid, o in orders.items()}
    calling = [e for e in effects.values() if e.plan.call is not None]
    if not calling:
        return effects
    kind = ledger_kind(process)
    intents = [
        ledger.Intent(e.order.id, target=e.order.method, summary=f"{_label(process)} ¥{e.order.amount:,}")
        for e in calling
    ]
    claim = ledger.claim(engine, kind, dedupe_key, intents)
    for oid, earlier in claim.earlier.items():
        effects[oid] = replace(effects[oid], result=_from_earlier(effects[oid].plan.call, earlier))  # type: ignore[arg-type]
    mine = [effects[oid] for oid in claim.mine]
    gateway, settings = _gateway(), load_settings()

    def make(e: Effect) -> tuple[int, GatewayResult]:
        key = idempotency_key(kind, dedupe_key, e.order.id)
        try:
            return e.order.id, _make_call(gateway, e.plan.call, key)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - an unexpected client error: it may have been sent
            return e.order.id, GatewayResult(ledger.UNKNOWN, message=f"決済サービスへの依頼中にエラー(結果不明): {exc}")

    if mine:
        with ThreadPoolExecutor(max_workers=max(1, min(settings.payment_in_flight, len(mine)))) as pool:
            results = dict(pool.map(make, mine))
        for oid, r in results.items():
            if r.state == ledger.UNKNOWN:  # no answer: ask what became of it rather than guess (or call again)
                results[oid] = _ask(gateway, idempotency_key(kind, dedupe_key, oid), r)
        ledger.record(engine, claim, {oid: r.as_ledger() for oid, r in results.items()})
        for oid, r in results.items():
            effects[oid] = replace(effects[oid], result=r)
    return effects


def _ask(gateway: PaymentGateway, key: str, unknown: GatewayResult) -> GatewayResult:
    answer = gateway.lookup(key)
    if answer is None or answer.state == ledger.UNKNOWN:
        return unknown  # the provider cannot tell now: 結果不明, reconciled by the next claim
    if answer.state == ledger.FAILED:  # it never arrived: nothing happened, a later attempt may call
        return GatewayResult(ledger.FAILED, message=f"{unknown.message}。決済サービスに届いていませんでした")
    return replace(answer, message=f"応答がなかったため決済サービスに確認しました。{answer.message}".rstrip())


def _make_call(gateway: PaymentGateway, call: Call, key: str) -> GatewayResult:
    if call.op == "capture":
        return gateway.capture(call.ref or "", key, tracking_number=call.tracking_number, shipped_on=call.shipped_on)
    if call.op == "cancel":
        return gateway.cancel(call.ref or "", key)
    if call.op == "authorize":
        assert call.request is not None
        return gateway.authorize(call.request, key)
    assert call.request is not None
    return gateway.reauthorize(call.ref, call.request, key)


def _from_earlier(call: Call, earlier: ledger.Earlier) -> GatewayResult:
    if earlier.state == ledger.SUCCEEDED:
        return GatewayResult(ledger.SUCCEEDED, ref=earlier.provider_ref, status=AFTER_CALL[call.op],
                             message="前回の依頼が完了していたため、再度依頼していません。")  # fmt: skip
    if earlier.state == ledger.DECLINED:
        return GatewayResult(ledger.DECLINED, message=earlier.error or "決済サービスに拒否されました。")
    return GatewayResult(ledger.UNKNOWN, message=UNKNOWN_BEFORE)


# ---- phase 2 -------------------------------------------------------------------------------------


@dataclass
class _Changes:
    """The column values each order gets, grouped so that each group is one executemany."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_status: dict[int, str] = field(default_factory=dict)

    def set(self, order_id: int, **values: Any) -> None:
        self.rows.setdefault(order_id, {}).update(values)


def apply(
    conn: Connection,
    process: str,
    effects: Mapping[int, Effect],
    order_ids: list[int],
    *,
    source: str,
    operator_id: int | None,
    options: SubscriptionOptions = SubscriptionOptions(),
    chain: Mapping[int, int] | None = None,
) -> dict[int, Outcome]:
    """Phase 2, in the caller's transaction. `chain` (order → the event a rule matched) makes the
    status events continue that rule's chain (the engine's cycle and depth checks)."""
    now = utcnow()
    outcomes: dict[int, Outcome] = {oid: ("failed", "受注が見つかりません。") for oid in order_ids}
    changes = _Changes()
    done: list[Effect] = []
    for oid in order_ids:
        effect = effects.get(oid)
        if effect is None:
            continue
        outcome, succeeded = _judge(effect)
        outcomes[oid] = outcome
        p = effect.plan
        if p.clears_np and effect.result is not None and effect.result.state != ledger.FAILED:
            # The request went out after the clearing (the seed): cleared whatever its answer.
            changes.set(oid, np_transaction_id=None, np_transaction_cancelled=False, tracking_number=None,
                        shipped_at=None)  # fmt: skip
        if succeeded:
            _success_values(changes, effect, now)
            done.append(effect)
        elif p.declined_status and effect.result is not None and effect.result.state == ledger.DECLINED:
            if effect.order.status != p.declined_status:
                changes.new_status[oid] = p.declined_status
            changes.set(oid, payment_status=p.declined_status)
    _write_events(conn, changes, source, operator_id, now, chain)
    _write_rows(conn, changes, now)
    reversed_notes = _reverse_points(conn, [e.order.id for e in done if e.plan.reverses_points], process, now)
    for oid, note in reversed_notes.items():
        outcomes[oid] = (outcomes[oid][0], f"{outcomes[oid][1]} {note}")
    if process in ("cancel", "force_cancel"):
        _subscription_options(conn, [e.order.id for e in done if e.order.subscription_id], options, source,
                              operator_id, now)  # fmt: skip
    return outcomes


def _judge(effect: Effect) -> tuple[Outcome, bool]:
    p, r = effect.plan, effect.result
    if p.refused is not None:
        return p.refused, False
    if p.call is None:
        return ("ok", p.note), True
    assert r is not None
    if r.state == ledger.SUCCEEDED:
        ref = f"(取引ID {r.ref})" if r.ref else ""
        return ("ok", f"{p.note}{ref}" + (f" {r.message}" if r.message else "")), True
    if r.state == ledger.DECLINED:
        return ("failed", f"決済サービスに拒否されました: {r.message}"), False
    if r.state == ledger.FAILED:
        return ("failed", f"{r.message}。時間をおいて再度実行してください。"), False
    return ("failed", f"結果不明: {r.message}"), False


def _success_values(changes: _Changes, effect: Effect, now: datetime) -> None:
    p, o, r = effect.plan, effect.order, effect.result
    if p.status and p.status != o.status:
        changes.new_status[o.id] = p.status
    values: dict[str, Any] = {"payment_status": p.status or o.status}
    if p.takes_ref and r is not None and r.ref:
        values |= {"payment_ref": r.ref, "payment_ref_method": o.method}
        if o.method in NP_CODES:
            values |= {"np_transaction_id": r.ref, "np_transaction_cancelled": False}
    if p.drops_ref:
        values |= {"payment_ref": None, "payment_ref_method": None}
    if p.status == "cancelled" and p.call is not None and o.ref_method in NP_CODES:
        values["np_transaction_cancelled"] = True
    if p.sets_paid:
        values["paid_at"] = now
    changes.set(o.id, **values)


def _write_events(
    conn: Connection,
    changes: _Changes,
    source: str,
    operator_id: int | None,
    now: datetime,
    chain: Mapping[int, int] | None,
) -> None:
    """決済状況が「X」になったとき: one event per order whose status really changes (before the UPDATE)."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for oid, status in changes.new_status.items():
        by_status[status].append(oid)
    batch = events.EventBatch(source, operator_id, now)
    for status, ids in by_status.items():
        label = PAYMENT_STATUSES[status]
        if chain:
            parents = [chain[i] for i in ids if i in chain]
            events.emit_chained(conn, events.PAYMENT_STATUS_CHANGED, label, parents, source, now)
            ids = [i for i in ids if i not in chain]
        if ids:
            where = and_(in_ids(conn, ORDERS.c.id, ids), ORDERS.c.payment_status != status)
            batch.add(events.PAYMENT_STATUS_CHANGED, label, where)
    batch.write(conn)


def _write_rows(conn: Connection, changes: _Changes, now: datetime) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for oid, values in changes.rows.items():
        keys = tuple(sorted(values))
        groups[keys].append({"b_id": oid, **{f"b_{k}": v for k, v in values.items()}})
    for keys, rows in groups.items():
        stmt = (
            update(ORDERS)
            .where(ORDERS.c.id == bindparam("b_id"))
            .values(updated_at=now, **{k: bindparam(f"b_{k}") for k in keys})
        )
        conn.execute(stmt, rows)


def _reverse_points(conn: Connection, order_ids: list[int], process: str, now: datetime) -> dict[int, str]:
    """取消: the points the order used go back to the customer, those it granted are taken back, once
    per order. A balance never goes below 0: what cannot be taken back is said in the outcome (the
    point ledger records what really moved)."""
    if not order_ids:
        return {}
    o, c = ORDERS.c, Customer.__table__.c
    rows = conn.execute(
        select(o.id, o.customer_id, o.points_used, o.points_granted)
        .where(in_ids(conn, o.id, order_ids), o.points_reversed_at.is_(None))
        .order_by(o.id)
    ).all()
    if not rows:
        return {}
    customers = sorted({r.customer_id for r in rows})
    balance = dict(conn.execute(select(c.id, c.points_balance).where(in_ids(conn, c.id, customers))).all())
    label = _label(process)
    ledger_rows: list[dict[str, Any]] = []
    notes: dict[int, str] = {}
    for r in rows:
        before = balance[r.customer_id]
        after = max(0, before + r.points_used - r.points_granted)
        balance[r.customer_id] = after
        if r.points_used:
            ledger_rows.append({"customer_id": r.customer_id, "order_id": r.id, "delta": r.points_used,
                                "reason": f"{label}: 利用ポイント返還", "created_at": now})  # fmt: skip
        taken = before + r.points_used - after
        if r.points_granted:
            ledger_rows.append({"customer_id": r.customer_id, "order_id": r.id, "delta": -taken,
                                "reason": f"{label}: 付与ポイント取消", "created_at": now})  # fmt: skip
        short = r.points_granted - taken
        moved = f"ポイント: 利用{r.points_used:,}pt返還・付与{taken:,}pt取消"
        notes[r.id] = moved + (f"(残高不足のため付与{short:,}ptは取り消せませんでした)" if short else "")
    if ledger_rows:
        conn.execute(insert(PointLedger.__table__), ledger_rows)
    conn.execute(
        update(Customer.__table__).where(c.id == bindparam("b_id")).values(points_balance=bindparam("b_balance")),
        [{"b_id": cid, "b_balance": balance[cid]} for cid in customers],
    )
    conn.execute(update(ORDERS).where(in_ids(conn, o.id, [r.id for r in rows])).values(points_reversed_at=now))
    return notes


def _subscription_options(
    conn: Connection, order_ids: list[int], options: SubscriptionOptions, source: str, operator_id: int | None,
    now: datetime,
) -> None:  # fmt: skip
    if not order_ids:
        return
    subs = sorted(set(conn.execute(select(ORDERS.c.subscription_id).where(in_ids(conn, ORDERS.c.id, order_ids)))
                      .scalars()) - {None})  # fmt: skip
    if options.action in ("paused", "cancelled"):
        batch = events.EventBatch(source, operator_id, now)
        SubscriptionEvents(conn, batch, order_ids).status(options.action, options.reason)
        batch.write(conn)
        s = Subscription.__table__
        conn.execute(
            update(s).where(in_ids(conn, s.c.id, subs)).values(status=options.action, status_reason=options.reason)
        )
    if options.count_down:
        count_down(conn, subs)
    if options.recalculate:
        recalculate(conn, subs)
