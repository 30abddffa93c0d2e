"""一括更新 (SPEC B1) on real databases: every field, the seed's rules, events, refusals, bad input."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import (
    Customer,
    CustomerMemo,
    DeliveryCompany,
    Job,
    Label,
    Operator,
    Order,
    OrderEvent,
    OrderItem,
    OrderLabel,
    OrderMemo,
    PaymentMethod,
    Product,
    Subscription,
    SubscriptionMemo,
)
from ecweb_core.models.common import JST
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from ecweb_core.statuses import SHIPPED
from tests.conftest import DEMO_NOW
from tests.fee_oracle import expected_payment_fee, expected_shipping_fee


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 150, seed=21, now=DEMO_NOW)
    yield empty_engine


def _run(engine: Engine, ids: list[int], form: dict[str, Any]) -> Job:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        sel = Selection(filter=OrderFilter(), ticked=set(ids))
        job_id = register_job(s, "bulk_update", op, sel, form).id  # type: ignore[arg-type]
    run_job(engine, job_id, chunk_size=7)  # type: ignore[arg-type]
    with Session(engine) as s:
        return s.get(Job, job_id)  # type: ignore[return-value]


def _ids(s: Session, *where: Any, limit: int = 10) -> list[int]:
    return list(s.execute(select(Order.id).where(*where).order_by(Order.id).limit(limit)).scalars())


def _method(s: Session, code: str) -> PaymentMethod:
    return s.execute(select(PaymentMethod).where(PaymentMethod.code == code)).scalar_one()


def _events(s: Session, kind: str) -> set[int]:
    return set(s.execute(select(OrderEvent.order_id).where(OrderEvent.kind == kind)).scalars())


def _result(job: Job) -> dict[str, tuple[str, str]]:
    with open(job.result_path or "", encoding="utf-8-sig") as fh:
        return {r[0]: (r[1], r[2]) for r in list(csv.reader(fh))[1:]}


def test_status_dates_memo_labels_and_their_events(engine: Engine) -> None:
    with Session(engine) as s:
        ids = _ids(s, Order.status_id != SHIPPED, Order.shipped_at.is_(None))
        label = s.execute(select(Label).where(Label.name == "要確認")).scalar_one()
    job = _run(
        engine,
        ids,
        {
            "status_id": str(SHIPPED),
            "shipped_at_mode": "set",
            "shipped_at": "2026/11/20",
            "scheduled_delivery_date_mode": "set",
            "scheduled_delivery_date": "2026-11-22",
            "paid_at_mode": "clear",
            "order_memo": "一括更新のテスト",
            "label_ids": [str(label.id)],
        },
    )
    assert (job.status, job.succeeded, job.failed) == ("done", 10, 0)
    with Session(engine) as s:
        for o in s.execute(select(Order).where(Order.id.in_(ids))).scalars():
            assert o.status_id == SHIPPED and o.paid_at is None
            assert o.shipped_at is not None and o.shipped_at.astimezone(JST).date() == date(2026, 11, 20)
            assert o.scheduled_delivery_date == date(2026, 11, 22)
        memos = s.execute(select(OrderMemo.order_id).where(OrderMemo.body == "一括更新のテスト")).scalars().all()
        assert sorted(memos) == ids
        labelled = s.execute(select(OrderLabel.order_id).where(OrderLabel.label_id == label.id)).scalars().all()
        assert set(ids) <= set(labelled)
        assert set(ids) <= _events(s, "status_changed")
        assert set(ids) <= _events(s, "shipped_at_set") and set(ids) <= _events(s, "first_shipment")
    # Again: nothing changes, so no second status event and no second first shipment; labels not doubled.
    _run(engine, ids, {"status_id": str(SHIPPED), "shipped_at_mode": "set", "shipped_at": "2026-11-21",
                       "label_ids": [str(label.id)]})  # fmt: skip
    with Session(engine) as s:
        per = dict(
            s.execute(
                select(OrderEvent.kind, func.count()).where(OrderEvent.order_id.in_(ids)).group_by(OrderEvent.kind)
            ).all()
        )
        assert per["status_changed"] == 10 and per["first_shipment"] == 10 and per["shipped_at_set"] == 20
        pairs = s.execute(select(func.count()).where(OrderLabel.order_id.in_(ids), OrderLabel.label_id == label.id))
        assert pairs.scalar_one() == 10


def test_payment_method_recomputes_fee_product_fee_wins(engine: Engine) -> None:
    """代金引換's fee from 設定 > 支払方法 (the demo: ¥330, ¥440 from ¥10,000, ¥660 from ¥30,000), a
    product's own fee winning over it."""
    with Session(engine) as s:
        cod = _method(s, "cod")
        plain = s.execute(select(Product.id).where(Product.payment_fee.is_(None))).scalars().all()
        own = s.execute(select(Product.id).where(Product.payment_fee.is_not(None))).scalars().all()
        items_with_own = select(OrderItem.order_id).where(OrderItem.product_id.in_(own))
        changeable = (Order.payment_status != "captured", Order.payment_method_id != cod.id)
        plain_small = _ids(s, *changeable, Order.id.not_in(items_with_own), Order.subtotal < 10000, limit=3)
        plain_large = _ids(s, *changeable, Order.id.not_in(items_with_own), Order.subtotal >= 10000, limit=3)
        own_orders = _ids(s, *changeable, Order.id.in_(items_with_own), limit=4)
        assert plain and plain_small and plain_large and own_orders
    ids = plain_small + plain_large + own_orders
    job = _run(engine, ids, {"payment_method_id": str(cod.id)})
    assert job.failed == 0
    with Session(engine) as s:
        fees = {}
        for o in s.execute(select(Order).where(Order.id.in_(ids))).scalars():
            assert o.payment_method_id == cod.id
            assert o.total == o.subtotal + o.shipping_fee + o.payment_fee - o.points_used
            assert o.payment_fee == expected_payment_fee(s, o)
            fees[o.id] = o.payment_fee
        assert {fees[i] for i in plain_small} == {330} and {fees[i] for i in plain_large} <= {440, 660}
        assert {fees[i] for i in own_orders} == {0}  # the demo's own product fees are 0
        assert set(ids) <= _events(s, "payment_method_changed")


def test_delivery_company_recomputes_shipping_fee(engine: Engine) -> None:
    with Session(engine) as s:
        company = s.execute(select(DeliveryCompany).where(DeliveryCompany.name == "日本郵便")).scalar_one()
        own = s.execute(select(Product.id).where(Product.shipping_fee.is_not(None))).scalars().all()
        plain_orders = _ids(
            s, Order.payment_status != "captured",
            Order.id.not_in(select(OrderItem.order_id).where(OrderItem.product_id.in_(own))), limit=5,
        )  # fmt: skip
    _run(engine, plain_orders, {"delivery_company_id": str(company.id)})
    with Session(engine) as s:
        for o in s.execute(select(Order).where(Order.id.in_(plain_orders))).scalars():
            assert (o.delivery_company_id, o.shipping_fee) == (company.id, company.fee)  # 日本郵便: one fee
            assert o.shipping_fee == expected_shipping_fee(s, o)
            assert o.total == o.subtotal + o.shipping_fee + o.payment_fee - o.points_used


def test_captured_orders_refuse_method_change_and_the_others_proceed(engine: Engine) -> None:
    with Session(engine) as s:
        captured = _ids(s, Order.payment_status == "captured", limit=3)
        others = _ids(s, Order.payment_status != "captured", limit=3)
        bank = _method(s, "bank")
        before = {o.id: o.payment_method_id for o in s.execute(select(Order).where(Order.id.in_(captured))).scalars()}
        numbers = dict(s.execute(select(Order.id, Order.number).where(Order.id.in_(captured))).all())
    job = _run(engine, captured + others, {"payment_method_id": str(bank.id), "order_memo": "メモ"})
    assert (job.succeeded, job.failed) == (3, 3)
    with Session(engine) as s:
        for o in s.execute(select(Order).where(Order.id.in_(captured))).scalars():
            assert o.payment_method_id == before[o.id]  # the refused order is untouched, memo included
        refused_memos = s.execute(select(OrderMemo).where(OrderMemo.order_id.in_(captured), OrderMemo.body == "メモ"))
        assert refused_memos.first() is None
        assert all(
            o.payment_method_id == bank.id for o in s.execute(select(Order).where(Order.id.in_(others))).scalars()
        )
    result = _result(job)
    for oid in captured:
        assert result[numbers[oid]] == ("失敗", "売上完了の受注は支払方法・配送業者を変更できません。")


def test_np_switch_needs_a_cancelled_np_transaction(engine: Engine) -> None:
    with Session(engine) as s:
        np, wiz = _method(s, "np").id, _method(s, "np_wiz").id
        ids = _ids(s, Order.payment_status != "captured", limit=4)
        s.execute(update(Order).where(Order.id.in_(ids)).values(payment_method_id=np, np_transaction_cancelled=False))
        s.execute(update(Order).where(Order.id == ids[0]).values(np_transaction_cancelled=True))
        s.commit()
    job = _run(engine, ids, {"payment_method_id": str(wiz)})
    assert (job.succeeded, job.failed) == (1, 3)
    with Session(engine) as s:
        methods = dict(s.execute(select(Order.id, Order.payment_method_id).where(Order.id.in_(ids))).all())
    assert methods[ids[0]] == wiz and {methods[i] for i in ids[1:]} == {np}


def test_flags_customer_and_subscription_fields(engine: Engine) -> None:
    with Session(engine) as s:
        sub_orders = _ids(s, Order.subscription_id.is_not(None), limit=4)
        single = _ids(s, Order.subscription_id.is_(None), limit=2)
    job = _run(
        engine,
        sub_orders + single,
        {
            "needs_attention": "yes",
            "attention_reason": "住所不備",
            "shipping_list": "exported",
            "shipping_list_exported_at": "2026-11-01",
            "blacklist": "yes",
            "blacklist_reason": "未払い",
            "customer_memo": "顧客メモ",
            "sub_status": "paused",
            "sub_status_reason": "長期不在",
            "next_ship_date": "2026-12-01",
            "sync_delivery": "on",
            "subscription_memo": "定期メモ",
        },
    )
    assert (job.succeeded, job.failed, job.skipped) == (6, 0, 0)
    with Session(engine) as s:
        for o in s.execute(select(Order).where(Order.id.in_(sub_orders + single))).scalars():
            assert o.needs_attention and o.attention_reason == "住所不備" and o.shipping_list_exported
            assert o.shipping_list_exported_at is not None
            customer = s.get(Customer, o.customer_id)
            assert customer is not None and customer.blacklisted and customer.blacklist_reason == "未払い"
            if o.subscription_id:
                sub = s.get(Subscription, o.subscription_id)
                assert sub is not None and (sub.status, sub.status_reason) == ("paused", "長期不在")
                assert sub.next_ship_date == date(2026, 12, 1)
                assert sub.next_delivery_date == date(2026, 12, 3)  # + 最短お届け日の指定 (2 days)
        assert s.execute(select(func.count()).select_from(CustomerMemo)).scalar_one() >= 1
        assert s.execute(select(func.count()).select_from(SubscriptionMemo)).scalar_one() >= 1
    result = _result(job)
    assert sum(1 for r in result.values() if r[1].startswith("定期受注に紐づかない")) == 2


def test_subscription_only_update_skips_single_orders(engine: Engine) -> None:
    with Session(engine) as s:
        single = _ids(s, Order.subscription_id.is_(None), limit=3)
        sub_order = _ids(s, Order.subscription_id.is_not(None), limit=1)
    job = _run(engine, single + sub_order,
               {"next_delivery_date": "2026-12-10", "sync_ship": "on", "sub_status": "active"})  # fmt: skip
    assert (job.succeeded, job.skipped, job.failed) == (1, 3, 0)
    with Session(engine) as s:
        sub = s.get(Subscription, s.get(Order, sub_order[0]).subscription_id)  # type: ignore[union-attr]
        assert sub is not None and sub.next_delivery_date == date(2026, 12, 10)
        assert sub.next_ship_date == date(2026, 12, 8) and sub.status == "active" and sub.status_reason is None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "form", "変更する項目を1つ以上指定してください。"),
        ({"shipped_at_mode": "set", "shipped_at": "2026-02-30"}, "shipped_at",
         "発送完了日は「2026-01-31」の形式で入力してください。"),
        ({"attention_reason": "住所不備"}, "attention_reason",
         "要対応理由は対象の項目を設定した場合のみ指定できます。"),
        ({"blacklist": "no", "blacklist_reason": "未払い"}, "blacklist_reason",
         "ブラックリスト理由は対象の項目を設定した場合のみ指定できます。"),
        ({"needs_attention": "yes", "attention_reason": "気分"}, "attention_reason",
         "要対応理由は選択肢から選んでください。"),
        ({"shipping_list": "unexported", "shipping_list_exported_at": "2026-01-01"}, "shipping_list_exported_at",
         "出荷リスト出力日は「出力済」の場合のみ指定できます。"),
        ({"next_ship_date": "2026-12-01", "next_delivery_date": "2026-12-03", "sync_delivery": "on"},
         "next_delivery_date", "次回発送予定日と次回配送予定日を両方指定する場合は「同期する」を外してください。"),
        ({"sub_status": "active", "sub_status_reason": "顧客都合"}, "sub_status_reason",
         "キャンセル理由は対象の項目を設定した場合のみ指定できます。"),
        ({"order_memo": "あ" * 1001}, "order_memo", "受注メモは1000文字以内で入力してください。"),
    ],
)  # fmt: skip
def test_bad_input_registers_nothing(engine: Engine, form: dict[str, str], field: str, message: str) -> None:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        with pytest.raises(ParamError) as info:
            register_job(s, "bulk_update", op, Selection(all_results=True), form)  # type: ignore[arg-type]
        assert info.value.errors[field] == message
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_customer_and_subscription_memos_once_per_job_across_chunks(engine: Engine) -> None:
    """A customer whose orders fall in several chunks (of 7 here) gets the job's memo once."""
    with Session(engine) as s:
        customer_id, n = s.execute(
            select(Order.customer_id, func.count()).group_by(Order.customer_id).order_by(func.count().desc())
        ).first()  # type: ignore[misc]
        assert n >= 2
        mine = _ids(s, Order.customer_id == customer_id, limit=50)
        fillers = _ids(s, Order.customer_id != customer_id, limit=30)
    job = _run(engine, mine + fillers, {"customer_memo": "一度だけ", "order_memo": "受注ごと"})
    assert job.failed == 0
    with Session(engine) as s:
        memos = s.execute(select(CustomerMemo.customer_id).where(CustomerMemo.body == "一度だけ")).scalars().all()
        assert sorted(memos) == sorted(set(memos)) and customer_id in memos
        order_memos = s.execute(select(OrderMemo.order_id).where(OrderMemo.body == "受注ごと")).scalars().all()
        assert sorted(order_memos) == sorted(mine + fillers)


def test_subscription_changes_write_one_event_per_subscription(engine: Engine) -> None:
    """ステータス(定期) / 要対応定期受注 / 次回予定日 write their events once per subscription that really
    changes — on the job's first order of it, even when its orders fall in several chunks — and a
    second job setting the same values writes none."""
    with Session(engine) as s:
        sub_id, n = s.execute(
            select(Order.subscription_id, func.count())
            .where(Order.subscription_id.is_not(None))
            .group_by(Order.subscription_id)
            .order_by(func.count().desc(), Order.subscription_id)
        ).first()  # type: ignore[misc]
        assert n >= 2
        s.execute(update(Subscription).where(Subscription.id == sub_id).values(status="active", needs_attention=False))
        s.commit()
        mine = _ids(s, Order.subscription_id == sub_id, limit=50)
        fillers = _ids(s, Order.subscription_id.is_(None), limit=12)
    form = {"sub_status": "paused", "sub_status_reason": "長期不在", "sub_needs_attention": "yes",
            "next_delivery_date": "2026-12-10", "order_memo": "定期"}  # fmt: skip
    job = _run(engine, fillers + mine, form)
    assert job.failed == 0
    with Session(engine) as s:
        rows = s.execute(
            select(OrderEvent.order_id, OrderEvent.kind, OrderEvent.value, OrderEvent.source).where(
                OrderEvent.kind.like("subscription_%")
            )
        ).all()
        by_kind = {kind: (order_id, value, source) for order_id, kind, value, source in rows}
        assert len(rows) == 3, rows
        assert by_kind["subscription_status_changed"] == (min(mine), "停止(長期不在)", f"job:{job.id}")
        assert by_kind["subscription_attention_changed"][1] == "要対応"
        assert by_kind["subscription_dates_changed"][1] == "次回配送予定日 2026-12-10"
    _run(engine, mine, form)
    with Session(engine) as s:
        assert s.execute(select(func.count()).where(OrderEvent.kind.like("subscription_%"))).scalar_one() == 3


def test_cancelling_orders_says_which_payments_still_need_cancelling(engine: Engine) -> None:
    """The seed's caution: キャンセル / 返品 change the 対応状況 only; the dialog counts beforehand and
    the result CSV names the orders whose payment 取消処理 still needs."""
    from ecweb_core.jobs.bulk_update import payments_to_cancel
    from ecweb_core.statuses import CANCELLED

    with Session(engine) as s:
        live = _ids(s, Order.payment_status.in_(["authorized", "captured"]), limit=4)
        done = _ids(s, Order.payment_status == "cancelled", limit=2)
    sel = Selection(filter=OrderFilter(), ticked=set(live + done))
    with engine.connect() as conn:
        assert payments_to_cancel(conn, sel.ids_select().scalar_subquery()) == 4
    job = _run(engine, live + done, {"status_id": str(CANCELLED)})
    result = _result(job)
    with Session(engine) as s:
        numbers = dict(s.execute(select(Order.id, Order.number).where(Order.id.in_(live + done))).all())
    caution = "決済が取り消されていません。「決済状況一括変更:取消処理」で決済を取り消してください。"
    assert all(result[numbers[i]] == ("成功", caution) for i in live)
    assert all(result[numbers[i]] == ("成功", "") for i in done)
