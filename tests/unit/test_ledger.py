"""The external-effect ledger on real databases: a call is claimed once per (kind, key, order), a
failed call may be claimed again, a call whose end is unknown is never made again — unless the
provider, asked through the kind's reconciler, says what became of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ecweb_core import ledger
from ecweb_core.models import ExternalEffect

KIND = "test.provider"


@pytest.fixture
def engine(empty_engine: Engine) -> Iterator[Engine]:
    yield empty_engine
    ledger.RECONCILERS.pop(KIND, None)


def _state(engine: Engine, key: str, order_id: int) -> tuple[str, int, str | None]:
    e = ExternalEffect
    with engine.connect() as conn:
        row = conn.execute(
            select(e.state, e.attempts, e.provider_ref).where(
                e.kind == KIND, e.dedupe_key == key, e.order_id == order_id
            )
        ).one()
    return row.state, row.attempts, row.provider_ref


def test_a_call_is_claimed_once_and_its_result_is_kept(engine: Engine) -> None:
    first = ledger.claim(engine, KIND, "job:1", [ledger.Intent(1, "a"), ledger.Intent(2, "b")])
    assert sorted(first.mine) == [1, 2] and not first.earlier
    # A concurrent claimant (another delivery of the same job) gets nothing to call.
    second = ledger.claim(engine, KIND, "job:1", [ledger.Intent(2, "b"), ledger.Intent(3, "c")])
    assert second.mine == [3] and second.earlier[2].state == ledger.REQUESTED
    ledger.record(engine, first, {1: ledger.Result(ledger.SUCCEEDED, provider_ref="tx-1"),
                                  2: ledger.Result(ledger.FAILED, "refused")})  # fmt: skip
    # Another claimant's results cannot overwrite this claim's rows.
    ledger.record(engine, second, {1: ledger.Result(ledger.FAILED, "not mine")})
    assert _state(engine, "job:1", 1) == ("succeeded", 1, "tx-1")
    third = ledger.claim(engine, KIND, "job:1", [ledger.Intent(1, "a"), ledger.Intent(2, "b")])
    assert third.mine == [2] and third.earlier[1].state == ledger.SUCCEEDED  # failed: may try again
    assert _state(engine, "job:1", 2) == ("requested", 2, None)
    other_key = ledger.claim(engine, KIND, "job:2", [ledger.Intent(1, "a")])
    assert other_key.mine == [1]


def test_an_unknown_call_is_never_made_again_without_a_reconciler(engine: Engine) -> None:
    c = ledger.claim(engine, KIND, "k", [ledger.Intent(7)])
    ledger.record(engine, c, {7: ledger.Result(ledger.UNKNOWN, "connection lost")})
    again = ledger.claim(engine, KIND, "k", [ledger.Intent(7)])
    assert again.mine == [] and again.earlier[7].state == ledger.UNKNOWN and again.earlier[7].error == "connection lost"


def test_the_reconciler_is_asked_instead_of_calling_again(engine: Engine) -> None:
    provider = {("k", 7): ledger.Result(ledger.SUCCEEDED, provider_ref="tx-7"), ("k", 8): ledger.Result(ledger.FAILED)}
    asked: list[int] = []

    def lookup(kind: str, key: str, order_id: int, ref: str | None) -> ledger.Result | None:
        asked.append(order_id)
        return provider.get((key, order_id))

    c = ledger.claim(engine, KIND, "k", [ledger.Intent(7), ledger.Intent(8), ledger.Intent(9)])
    ledger.record(engine, c, {7: ledger.Result(ledger.UNKNOWN), 9: ledger.Result(ledger.UNKNOWN)})  # 8 died
    ledger.register_reconciler(KIND, lookup)
    again = ledger.claim(engine, KIND, "k", [ledger.Intent(7), ledger.Intent(8), ledger.Intent(9)])
    assert sorted(asked) == [7, 8, 9]
    assert again.earlier[7].state == ledger.SUCCEEDED and again.earlier[7].provider_ref == "tx-7"
    assert again.mine == [8]  # the provider never saw it: this claimant makes the call
    assert again.earlier[9].state == ledger.UNKNOWN  # the provider cannot tell: still never called
    assert _state(engine, "k", 7) == ("succeeded", 1, "tx-7")
    assert _state(engine, "k", 8) == ("requested", 2, None)
