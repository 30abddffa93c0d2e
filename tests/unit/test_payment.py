"""決済状況一括変更 (SPEC B6) on real databases against the real sandbox provider (its own process):
every process for every payment method, what reaches the provider and what does not, declines,
NP registration failure, points, the subscription options, bad input — and never a second call."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core import ledger
from ecweb_core.demo import generate
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import (
    Customer,
    ExternalEffect,
    Job,
    JobTarget,
    Operator,
    Order,
    OrderEvent,
    PaymentMethod,
    PointLedger,
    ProductPrice,
    Subscription,
    SubscriptionItem,
)
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW
from tests.payment_provider import Provider

PROVIDER_METHODS = ("credit", "amazon_pay", "np", "np_wiz")


@pytest.fixture
def engine(empty_engine: Engine, provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", provider.url)
    monkeypatch.setenv("ECWEB_PAYMENT_TIMEOUT_S", "5")
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 60, seed=15, now=DEMO_NOW)
    return empty_engine


def _run(
    engine: Engine, ids: list[int], form: dict[str, Any], chunk_size: int = 50
) -> tuple[Job, dict[str, tuple[str, str]]]:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job_id = int(register_job(s, "payment", op, Selection(filter=OrderFilter(), ticked=set(ids)), form).id or 0)  # type: ignore[arg-type]
    run_job(engine, job_id, chunk_size=chunk_size)
    with Session(engine) as s:
        job = s.get(Job, job_id)
    assert job is not None
    with open(job.result_path or "", encoding="utf-8-sig") as fh:
        return job, {r[0]: (r[1], r[2]) for r in list(csv.reader(fh))[1:]}


def _order(engine: Engine, order_id: int) -> Order:
    with Session(engine) as s:
        o = s.get(Order, order_id)
        assert o is not None
        return o


def _method_id(engine: Engine, code: str) -> int:
    with Session(engine) as s:
        return s.execute(select(PaymentMethod.id).where(PaymentMethod.code == code)).scalar_one()


def _single_order(engine: Engine, method: str, status: str, **values: Any) -> Order:
    """An order outside any subscription, set to `method` and `status`, without provider data."""
    with Session(engine) as s:
        oid = s.execute(select(Order.id).where(Order.subscription_id.is_(None)).order_by(Order.id)).scalars().first()
        clean = {
            "payment_method_id": _method_id(engine, method),
            "payment_status": status,
            "payment_ref": None,
            "payment_ref_method": None,
            "np_transaction_id": None,
            "np_transaction_cancelled": False,
            "tracking_number": None,
            "shipped_at": None,
            "paid_at": None,
            "points_used": 0,
            "points_granted": 0,
        }
        s.execute(update(Order).where(Order.id == oid).values(**{**clean, **values}))  # fmt: skip
        s.commit()
    return _order(engine, int(oid or 0))


def _status_events(engine: Engine, order_id: int) -> list[str]:
    with Session(engine) as s:
        q = select(OrderEvent.value).where(OrderEvent.order_id == order_id, OrderEvent.kind == "payment_status_changed")
        return list(s.execute(q.order_by(OrderEvent.id)).scalars())


@pytest.mark.parametrize("method", ["credit", "amazon_pay", "np", "np_wiz", "cod", "bank"])
def test_every_process_for_every_method(engine: Engine, provider: Provider, method: str) -> None:
    remote = method in PROVIDER_METHODS
    start = "cancelled" if method in ("np", "np_wiz") else "unpaid"  # NP: 再オーソリ only from 取消完了
    o = _single_order(engine, method, start)
    # 再オーソリ処理: a new authorization at the provider (local methods: nothing to authorize).
    job, result = _run(engine, [o.id], {"process": "reauthorize"})
    assert result[o.number][0] == "成功", result
    after = _order(engine, o.id)
    assert after.payment_status == ("authorized" if remote else "unpaid")
    assert (after.payment_ref is not None) == remote
    ops = provider.operations(o.number)
    assert ops == ({(o.number, "authorize"): 1} if remote else {})
    # 売上処理: NP後払い first refuses without a 配送伝票番号 (出荷報告), then reports the shipment.
    if method in ("np", "np_wiz"):
        _, result = _run(engine, [o.id], {"process": "capture"})
        assert result[o.number][0] == "失敗" and "半角英数字の配送伝票番号" in result[o.number][1]
        with Session(engine) as s:
            s.execute(update(Order).where(Order.id == o.id).values(tracking_number="4527170078", shipped_at=DEMO_NOW))
            s.commit()
    _, result = _run(engine, [o.id], {"process": "capture"})
    assert result[o.number][0] == "成功", result
    after = _order(engine, o.id)
    assert after.payment_status == "captured" and (after.paid_at is not None) == (not remote)
    if method in ("np", "np_wiz"):
        tx = provider.transactions(o.number)[0]
        assert (tx["status"], tx["tracking_number"], tx["shipped_on"]) == ("captured", "4527170078", "2026-11-01")
    # 取消処理 reaches the provider; 強制売上処理 and 強制取消処理 change only the shop's status.
    _, result = _run(engine, [o.id], {"process": "cancel"})
    assert result[o.number][0] == "成功" and _order(engine, o.id).payment_status == "cancelled"
    if method in ("np", "np_wiz"):
        assert _order(engine, o.id).np_transaction_cancelled
    at_provider = provider.operations(o.number)
    for process, status in (("force_capture", "captured"), ("force_cancel", "cancelled")):
        _, result = _run(engine, [o.id], {"process": process})
        assert result[o.number] == ("成功", result[o.number][1]) and "連携していません" in result[o.number][1]
        assert _order(engine, o.id).payment_status == status
    assert provider.operations(o.number) == at_provider
    expected = {(o.number, k): 1 for k in ("authorize", "capture", "cancel")} if remote else {}
    assert at_provider == expected
    history = _status_events(engine, o.id)
    assert history == (["仮売上完了"] if remote else ["未決済"] if start != "unpaid" else []) + [
        "売上完了",
        "取消完了",
        "売上完了",
        "取消完了",
    ]


def test_capture_of_a_captured_order_sends_nothing(engine: Engine, provider: Provider) -> None:
    o = _single_order(engine, "credit", "unpaid")
    _run(engine, [o.id], {"process": "reauthorize"})
    _run(engine, [o.id], {"process": "capture"})
    _, result = _run(engine, [o.id], {"process": "capture"})
    assert result[o.number][0] == "スキップ" and "既に売上完了" in result[o.number][1]
    assert provider.operations(o.number)[(o.number, "capture")] == 1


def test_a_declined_authorization_leaves_auth_failed(engine: Engine, provider: Provider) -> None:
    provider.faults(decline_amount_at_least=1)
    o = _single_order(engine, "credit", "unpaid")
    _, result = _run(engine, [o.id], {"process": "reauthorize"})
    assert result[o.number] == ("失敗", "決済サービスに拒否されました: カードが承認されませんでした。")
    assert _order(engine, o.id).payment_status == "auth_failed"
    assert _status_events(engine, o.id) == ["仮売上失敗"]
    with Session(engine) as s:
        state = s.execute(select(ExternalEffect.state).where(ExternalEffect.order_id == o.id)).scalar_one()
    assert state == ledger.DECLINED


def test_np_reauthorization_clears_the_np_data_and_fails_when_a_live_transaction_exists(
    engine: Engine, provider: Provider
) -> None:
    o = _single_order(engine, "np", "cancelled", np_transaction_id="NPOLD", np_transaction_cancelled=True,
                      tracking_number="ABC123", shipped_at=DEMO_NOW)  # fmt: skip
    # The provider still holds a non-cancelled NP transaction for this order number.
    body = {"method": "np", "order_number": o.number, "amount": 1000, "customer_ref": "x"}
    httpx.post(
        f"{provider.url}/v1/authorizations", json=body, headers={"Idempotency-Key": "elsewhere"}
    ).raise_for_status()
    _, result = _run(engine, [o.id], {"process": "reauthorize"})
    assert result[o.number][0] == "失敗" and "取引登録失敗" in result[o.number][1]
    after = _order(engine, o.id)
    assert after.payment_status == "credit_error"  # 与信審査エラー
    assert (after.np_transaction_id, after.tracking_number, after.shipped_at) == (None, None, None)


def test_reauthorization_after_a_method_change_releases_the_old_authorization(
    engine: Engine, provider: Provider
) -> None:
    o = _single_order(engine, "credit", "unpaid")
    _run(engine, [o.id], {"process": "reauthorize"})
    first = _order(engine, o.id).payment_ref
    with Session(engine) as s:  # 一括更新 changed the 支払方法 to 代金引換; the seed's rule: 再オーソリ処理
        s.execute(update(Order).where(Order.id == o.id).values(payment_method_id=_method_id(engine, "cod")))
        s.commit()
    _, result = _run(engine, [o.id], {"process": "reauthorize"})
    assert result[o.number][0] == "成功" and "以前の与信を取り消しました" in result[o.number][1]
    after = _order(engine, o.id)
    assert (after.payment_status, after.payment_ref) == ("unpaid", None)
    (tx,) = provider.transactions(o.number)
    assert (tx["id"], tx["status"]) == (first, "cancelled")


def test_points_come_back_and_granted_points_are_taken_back_once(engine: Engine, provider: Provider) -> None:
    o = _single_order(engine, "cod", "authorized", points_used=500, points_granted=30)
    with Session(engine) as s:
        s.execute(update(Customer).where(Customer.id == o.customer_id).values(points_balance=1000))
        s.commit()
        demo_rows = s.execute(select(func.max(PointLedger.id))).scalar() or 0  # the demo's 利用 / 付与 history
    _, result = _run(engine, [o.id], {"process": "cancel"})
    assert "利用500pt返還・付与30pt取消" in result[o.number][1]
    with Session(engine) as s:
        assert s.get(Customer, o.customer_id).points_balance == 1470  # type: ignore[union-attr]
        mine = (PointLedger.order_id == o.id, PointLedger.id > demo_rows)
        deltas = s.execute(select(PointLedger.delta).where(*mine).order_by(PointLedger.id))
        assert list(deltas.scalars()) == [500, -30]
    _run(engine, [o.id], {"process": "reauthorize"})  # alive again: the points are not moved twice
    _run(engine, [o.id], {"process": "force_cancel"})
    with Session(engine) as s:
        assert s.get(Customer, o.customer_id).points_balance == 1470  # type: ignore[union-attr]


def test_a_balance_never_goes_below_zero(engine: Engine, provider: Provider) -> None:
    o = _single_order(engine, "bank", "captured", points_used=0, points_granted=30)
    with Session(engine) as s:
        s.execute(update(Customer).where(Customer.id == o.customer_id).values(points_balance=10))
        s.commit()
        demo_rows = s.execute(select(func.max(PointLedger.id))).scalar() or 0
    _, result = _run(engine, [o.id], {"process": "force_cancel"})
    assert result[o.number][0] == "成功" and "残高不足のため付与20ptは取り消せませんでした" in result[o.number][1]
    with Session(engine) as s:
        assert s.get(Customer, o.customer_id).points_balance == 0  # type: ignore[union-attr]
        mine = (PointLedger.order_id == o.id, PointLedger.id > demo_rows)
        assert list(s.execute(select(PointLedger.delta).where(*mine)).scalars()) == [-10]


def test_cancel_with_the_subscription_options(engine: Engine, provider: Provider) -> None:
    """停止 + 停止理由, 定期回数を-1する and 再計算する: the next delivery (定期回数 2 → the 2nd) priced by
    the product's price for that count, with that delivery's 同梱品."""
    with Session(engine) as s:
        oid = s.execute(select(Order.id).where(Order.subscription_id.is_not(None)).order_by(Order.id)).scalars().first()
    o = _order(engine, int(oid or 0))
    sub_id = o.subscription_id
    with Session(engine) as s:
        values = {"payment_method_id": _method_id(engine, "cod"), "payment_status": "authorized"}
        s.execute(update(Order).where(Order.id == o.id).values(**values))
        s.execute(update(Subscription).where(Subscription.id == sub_id).values(status="active", delivery_count=2))
        skn = s.execute(select(ProductPrice.product_id).where(ProductPrice.price == 3980)).scalar_one()  # SKN-001
        item = SubscriptionItem.subscription_id == sub_id
        s.execute(update(SubscriptionItem).where(item).values(product_id=skn, quantity=2))
        s.commit()
    form = {
        "process": "cancel",
        "sub_action": "paused",
        "sub_reason": "長期不在",
        "count_down": "on",
        "recalculate": "on",
    }
    _, result = _run(engine, [o.id], form)
    assert result[o.number][0] == "成功"
    with Session(engine) as s:
        sub = s.get(Subscription, sub_id)
        assert sub is not None and (sub.status, sub.status_reason, sub.delivery_count) == ("paused", "長期不在", 1)
        items = s.execute(
            select(SubscriptionItem.unit_price, SubscriptionItem.quantity, SubscriptionItem.bundled)
            .where(SubscriptionItem.subscription_id == sub_id)
            .order_by(SubscriptionItem.id)
        ).all()
        # The next delivery is the 2nd: 2回目以降 ¥3,980 × 2, and its 同梱品 (お試しセット) × 2 at ¥0.
        assert [tuple(i) for i in items] == [(3980, 2, False), (0, 2, True)]
        assert sub.next_subtotal == 7960
        event = s.execute(
            select(OrderEvent.value).where(
                OrderEvent.order_id == o.id, OrderEvent.kind == "subscription_status_changed"
            )
        ).scalar_one()
        assert event == "停止(長期不在)"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "process", "処理を選択してください。"),
        ({"process": "refund"}, "process", "処理を選択してください。"),
        ({"process": "capture", "sub_action": "paused"}, "sub_action",
         "定期受注の変更は、取消処理・強制取消処理の場合のみ指定できます。"),
        ({"process": "cancel", "sub_reason": "長期不在"}, "sub_reason",
         "停止理由・キャンセル理由は、定期受注を停止・キャンセルする場合のみ指定できます。"),
        ({"process": "cancel", "sub_action": "cancelled", "sub_reason": "長期不在"}, "sub_reason",
         "キャンセル理由は選択肢から選んでください。"),
    ],
)  # fmt: skip
def test_bad_input_registers_nothing(engine: Engine, form: dict[str, str], field: str, message: str) -> None:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        with pytest.raises(ParamError) as info:
            register_job(s, "payment", op, Selection(all_results=True), form)  # type: ignore[arg-type]
        assert info.value.errors[field] == message
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


# ---- never twice ---------------------------------------------------------------------------------


def _authorized(engine: Engine, provider: Provider, n: int) -> list[Order]:
    """n card orders with an authorization at the provider."""
    with Session(engine) as s:
        ids = list(s.execute(select(Order.id).order_by(Order.id).limit(n)).scalars())
        s.execute(update(Order).where(Order.id.in_(ids)).values(payment_method_id=_method_id(engine, "credit"),
                                                                payment_status="unpaid", payment_ref=None))  # fmt: skip
        s.commit()
    _run(engine, ids, {"process": "reauthorize"})
    orders = [_order(engine, i) for i in ids]
    assert all(o.payment_status == "authorized" for o in orders)
    return orders


def _captures(provider: Provider, orders: list[Order]) -> list[int]:
    assert provider.operations(outcome="invalid") == {}  # no second call the provider had to refuse
    ops = provider.operations()
    return [ops.get((o.number, "capture"), 0) for o in orders]


def test_a_chunk_whose_commit_was_lost_never_captures_twice(engine: Engine, provider: Provider) -> None:
    orders = _authorized(engine, provider, 6)
    job, _ = _run(engine, [o.id for o in orders], {"process": "capture"})
    assert job.succeeded == 6 and _captures(provider, orders) == [1] * 6
    with Session(engine) as s:  # the worker died before its chunk committed: the orders look untouched
        s.execute(update(JobTarget).where(JobTarget.job_id == job.id).values(outcome=None, message=None))
        s.execute(update(Job).where(Job.id == job.id).values(status="running", done_count=0, succeeded=0))
        s.execute(update(Order).where(Order.id.in_([o.id for o in orders])).values(payment_status="authorized"))
        s.commit()
    again = run_job(engine, int(job.id or 0))
    assert (again.status, again.succeeded) == ("done", 6)
    assert all(_order(engine, o.id).payment_status == "captured" for o in orders)
    assert _captures(provider, orders) == [1] * 6


def test_an_answer_lost_to_a_timeout_is_asked_for_not_called_again(
    engine: Engine, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = _authorized(engine, provider, 3)
    monkeypatch.setenv("ECWEB_PAYMENT_TIMEOUT_S", "1")
    provider.faults(hang_after_success_orders=[orders[1].number], hang_seconds=3)
    _, result = _run(engine, [o.id for o in orders], {"process": "capture"})
    assert all(result[o.number][0] == "成功" for o in orders), result
    assert "応答がなかったため決済サービスに確認しました" in result[orders[1].number][1]
    assert _captures(provider, orders) == [1, 1, 1]


def test_a_provider_error_before_doing_anything_is_retried_with_the_same_key(
    engine: Engine, provider: Provider
) -> None:
    orders = _authorized(engine, provider, 2)
    provider.faults(fail_5xx_orders=[orders[0].number])
    job, result = _run(engine, [o.id for o in orders], {"process": "capture"})
    assert result[orders[0].number][0] == "失敗" and "一時的に利用できません" in result[orders[0].number][1]
    assert _captures(provider, orders) == [0, 1]
    provider.faults()
    with Session(engine) as s:  # the same job's chunk again (a Dramatiq retry after a failed commit)
        s.execute(update(JobTarget).where(JobTarget.job_id == job.id, JobTarget.order_id == orders[0].id)
                  .values(outcome=None, message=None))  # fmt: skip
        s.execute(update(Job).where(Job.id == job.id).values(status="running"))
        s.commit()
    run_job(engine, int(job.id or 0))
    assert _order(engine, orders[0].id).payment_status == "captured"
    assert _captures(provider, orders) == [1, 1]
    with Session(engine) as s:
        attempts = s.execute(
            select(ExternalEffect.attempts).where(
                ExternalEffect.kind == "payment.capture", ExternalEffect.order_id == orders[0].id
            )  # fmt: skip
        ).scalar_one()
    assert attempts == 2


def test_an_unreachable_provider_fails_the_orders_and_changes_nothing(
    engine: Engine, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = _authorized(engine, provider, 2)
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", "http://127.0.0.1:9")  # nothing listens there
    job, result = _run(engine, [o.id for o in orders], {"process": "capture"})
    assert job.failed == 2 and all("決済サービスに接続できません" in result[o.number][1] for o in orders)
    assert all(_order(engine, o.id).payment_status == "authorized" for o in orders)
    assert _captures(provider, orders) == [0, 0]
