"""CSV管理's memo, 督促 and points columns (issue 18, item 7), exported by the real job on both databases."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.models import CustomerMemo, DunningRecord, Order, OrderMemo, SubscriptionMemo
from ecweb_core.models.common import fmt_jst
from tests.conftest import DEMO_NOW
from tests.unit.test_csv_export import _fmt, _rows, _run, _ticked, engine  # noqa: F401 - the fixture

COLUMNS = [
    ("order.number", "受注番号"),
    ("order.memo_latest", "受注メモ(最新)"),
    ("order.memo_all", "受注メモ(すべて)"),
    ("customer.memo_latest", "顧客メモ(最新)"),
    ("customer.memo_all", "顧客メモ(すべて)"),
    ("subscription.memo_latest", "定期受注メモ(最新)"),
    ("subscription.memo_all", "定期受注メモ(すべて)"),
    ("order.dunning_latest_at", "最新の督促日時"),
    ("order.dunning_due_date", "支払期限"),
    ("order.labels", "受注ラベル"),
    ("order.points_used", "利用ポイント"),
    ("order.points_granted", "付与ポイント"),
    ("customer.points_balance", "保有ポイント"),
]


def test_memo_dunning_and_point_columns(engine: Engine) -> None:  # noqa: F811
    with Session(engine, expire_on_commit=False) as s:
        sub_order = (
            s.execute(select(Order).where(Order.subscription_id.is_not(None)).order_by(Order.id)).scalars().first()
        )
        plain = s.execute(select(Order).where(Order.subscription_id.is_(None)).order_by(Order.id)).scalars().first()
        assert sub_order is not None and plain is not None
        ids = [sub_order.id, plain.id]
        cust, sub = sub_order.customer_id, sub_order.subscription_id
        numbers = {sub_order.id: sub_order.number, plain.id: plain.number}
        for model, key in (
            (OrderMemo, "order_id"),
            (CustomerMemo, "customer_id"),
            (SubscriptionMemo, "subscription_id"),
        ):
            s.execute(update(model).values(body="x").where(model.__table__.c[key] == -1))  # no-op: keep table warm
        base = DEMO_NOW + timedelta(days=1)
        s.execute(insert(OrderMemo), [
            {"order_id": sub_order.id, "body": "一つ目", "created_at": base},
            {"order_id": sub_order.id, "body": "=二つ目", "created_at": base + timedelta(hours=1)},
        ])  # fmt: skip
        s.execute(insert(CustomerMemo).values(customer_id=cust, body="顧客の話", created_at=base))
        s.execute(insert(SubscriptionMemo).values(subscription_id=sub, body="定期の話", created_at=base))
        s.execute(insert(DunningRecord), [
            {"order_id": sub_order.id, "due_date": date(2026, 12, 1), "memo": None, "created_at": base},
            {"order_id": sub_order.id, "due_date": date(2026, 12, 20), "memo": None,
             "created_at": base + timedelta(hours=2)},
        ])  # fmt: skip
        s.execute(update(Order).where(Order.id == sub_order.id).values(points_used=300, points_granted=12))
        s.commit()
        customer_memos = list(s.execute(select(CustomerMemo.body).where(CustomerMemo.customer_id == cust)
                                        .order_by(CustomerMemo.id)).scalars())  # fmt: skip
        sub_memos = list(s.execute(select(SubscriptionMemo.body).where(SubscriptionMemo.subscription_id == sub)
                                   .order_by(SubscriptionMemo.id)).scalars())  # fmt: skip
        plain_memos = list(s.execute(select(OrderMemo.body).where(OrderMemo.order_id == plain.id)).scalars())
    fmt = _fmt(engine, "メモ列", columns=COLUMNS)
    _, data = _run(engine, {"format_id": str(fmt), "encoding": "utf-8"}, _ticked(ids))
    rows = {r[0]: r for r in _rows(data, "utf-8")[1:]}
    row = rows[numbers[ids[0]]]
    assert row[1] == "'=二つ目"  # the newest, neutralised against formulas
    assert row[2].endswith("一つ目\n'=二つ目") or row[2].endswith("一つ目\n=二つ目")
    assert row[3] == customer_memos[-1] and row[4] == "\n".join(customer_memos)
    assert row[5] == sub_memos[-1] and row[6] == "\n".join(sub_memos)
    assert row[7] == fmt_jst(base + timedelta(hours=2)) and row[8] == "2026/12/20"
    assert (row[10], row[11]) == ("300", "12")
    other = rows[numbers[ids[1]]]
    assert other[1] == (plain_memos[-1] if plain_memos else "") and other[5:9] == ["", "", "", ""]
