"""The external-effect ledger: every call to a service outside the database goes through here.

A mail to a customer, a request to the payment provider: neither can be rolled back with a
transaction, and a job, a rule or a chunk can be retried at any point. So, as Saleor's payment
gateway and Stripe's idempotency keys do, each call is

  1. claimed: its intent (kind, dedupe key, order) is committed on its own transaction BEFORE the
     call, under a UNIQUE key — a second claimant finds it and does not call;
  2. made, with no database transaction open (the caller's job: ExternalOperation.call_outside);
  3. recorded: succeeded, declined (the provider answered no: nothing happened, and asking again
     would get the same answer), failed (nothing happened: a later claim may try again) or unknown
     (it may have happened: the connection broke mid-call), on its own transaction.

A claim still `requested` (the process died mid-call, or another worker is calling right now) or
`unknown` is never called again. A kind whose provider can be asked what became of a call
registers a reconciler: the ledger asks it and records the answer instead of calling again. SMTP
cannot be asked, so such a mail stays unknown and is reported for the operator to resend.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from ecweb_core.models import ExternalEffect
from ecweb_core.models.common import utcnow
from ecweb_core.sqlutil import in_ids

T = ExternalEffect.__table__
REQUESTED, SUCCEEDED, DECLINED, FAILED, UNKNOWN = "requested", "succeeded", "declined", "failed", "unknown"


@dataclass(frozen=True)
class Intent:
    """A call about to be made for one order."""

    order_id: int
    target: str = ""  # who or what is called: the recipient, the provider account
    summary: str = ""  # what: the subject, the amount


@dataclass(frozen=True)
class Result:
    """What became of a call."""

    state: str  # SUCCEEDED | DECLINED (a definite no) | FAILED (nothing happened, may retry) | UNKNOWN
    message: str = ""
    provider_ref: str | None = None


@dataclass(frozen=True)
class Earlier:
    """A call claimed before this claim: this caller must not make it."""

    state: str  # SUCCEEDED | DECLINED | REQUESTED | UNKNOWN
    target: str
    provider_ref: str | None
    error: str | None


@dataclass
class Claim:
    kind: str
    dedupe_key: str
    token: str
    mine: list[int]  # the orders whose call this claimant makes now
    earlier: dict[int, Earlier]  # the orders whose call was claimed before


# kind -> asks the provider what became of a call the ledger does not know the end of; returns None
# when the provider cannot tell. Registered by the provider's client module.
Reconciler = Callable[[str, str, int, str | None], Result | None]  # (kind, dedupe_key, order_id, provider_ref)
RECONCILERS: dict[str, Reconciler] = {}


def register_reconciler(kind: str, reconciler: Reconciler) -> None:
    RECONCILERS[kind] = reconciler


def claim(engine: Engine, kind: str, dedupe_key: str, intents: list[Intent]) -> Claim:
    """Claims the calls of `intents` on its own committed transaction. Never call this with a write
    transaction open on the same SQLite database: the claim would wait for it."""
    token = uuid.uuid4().hex
    if not intents:
        return Claim(kind, dedupe_key, token, [], {})
    now = utcnow()
    rows = [
        {"kind": kind, "dedupe_key": dedupe_key, "order_id": i.order_id, "state": REQUESTED, "attempts": 1,
         "claim_token": token, "target": i.target[:255], "summary": i.summary[:255], "requested_at": now}
        for i in intents
    ]  # fmt: skip
    ids = [i.order_id for i in intents]
    with engine.begin() as c:
        ins = pg_insert(T) if c.dialect.name == "postgresql" else sqlite_insert(T)
        c.execute(ins.on_conflict_do_nothing(index_elements=["kind", "dedupe_key", "order_id"]), rows)
        # Nothing happened for a failed call: this claimant may try again.
        c.execute(
            update(T)
            .where(_key(kind, dedupe_key), in_ids(c, T.c.order_id, ids), T.c.state == FAILED)
            .values(state=REQUESTED, claim_token=token, attempts=T.c.attempts + 1, error=None, requested_at=now)
        )
        earlier = {
            r.order_id: Earlier(r.state, r.target, r.provider_ref, r.error)
            for r in c.execute(
                select(T.c.order_id, T.c.state, T.c.target, T.c.provider_ref, T.c.error).where(
                    _key(kind, dedupe_key), in_ids(c, T.c.order_id, ids), T.c.claim_token != token
                )
            )
        }
    result = Claim(kind, dedupe_key, token, [i for i in ids if i not in earlier], earlier)
    _reconcile(engine, result)
    return result


def record(engine: Engine, claim_: Claim, results: Mapping[int, Result]) -> None:
    """Records how each call of this claim went. If this fails, the claims stay `requested`: never
    called again (the caller still reports what it saw)."""
    now = utcnow()
    rows = [
        {"b_order": order_id, "b_state": r.state, "b_ref": r.provider_ref, "b_error": r.message[:1000] or None}
        for order_id, r in results.items()
        if order_id in set(claim_.mine)
    ]
    if not rows:
        return
    with engine.begin() as c:
        c.execute(
            update(T)
            .where(T.c.claim_token == claim_.token, T.c.order_id == bindparam("b_order"))
            .values(
                state=bindparam("b_state"),
                provider_ref=bindparam("b_ref"),
                error=bindparam("b_error"),
                finished_at=now,
            ),
            rows,
        )


def _reconcile(engine: Engine, c: Claim) -> None:
    """Asks the provider about the earlier calls whose end is not known; a call it says never
    happened is claimed again by this claimant, one it says happened is recorded."""
    ask = RECONCILERS.get(c.kind)
    if ask is None:
        return
    for order_id, e in list(c.earlier.items()):
        if e.state not in (REQUESTED, UNKNOWN):
            continue
        answer = ask(c.kind, c.dedupe_key, order_id, e.provider_ref)
        if answer is None or answer.state == UNKNOWN:
            continue
        with engine.begin() as conn:
            if answer.state == FAILED:  # never reached the provider: this claimant makes the call
                taken = conn.execute(
                    update(T)
                    .where(_key(c.kind, c.dedupe_key), T.c.order_id == order_id, T.c.state == e.state)
                    .values(state=REQUESTED, claim_token=c.token, attempts=T.c.attempts + 1, requested_at=utcnow())
                ).rowcount
                if taken:
                    del c.earlier[order_id]
                    c.mine.append(order_id)
                continue
            conn.execute(
                update(T)
                .where(_key(c.kind, c.dedupe_key), T.c.order_id == order_id, T.c.state == e.state)
                .values(
                    state=answer.state,
                    provider_ref=answer.provider_ref or e.provider_ref,
                    error=(answer.message or e.error or "")[:1000] or None,
                    finished_at=utcnow(),
                )
            )
        error = answer.message or e.error
        c.earlier[order_id] = Earlier(answer.state, e.target, answer.provider_ref or e.provider_ref, error)


def _key(kind: str, dedupe_key: str):  # type: ignore[no-untyped-def]
    return (T.c.kind == kind) & (T.c.dedupe_key == dedupe_key)
