"""定期受注管理, 顧客管理 and 受注詳細's tabs, in ecweb_core: the searches, 基本設定 with 同期する and
its refusals (nothing changes on bad input), メモ管理, ポイント, ブラックリスト, 再計算 and the order
grid's filter by the subscription's status."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core import customers, events
from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.fees import shipping_fee_expr
from ecweb_core.models import (
    Customer,
    CustomerMemo,
    DeliveryCompany,
    Operator,
    Order,
    OrderEvent,
    OrderItem,
    PointLedger,
    PrefectureShippingFee,
    Product,
    ShopSettings,
    Subscription,
    SubscriptionMemo,
)
from ecweb_core.order_detail import load_order_detail
from ecweb_core.order_edit import add_order_memo, recalculate_order
from ecweb_core.search import conditions, parse_filter
from ecweb_core.subscriptions import listing
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    generate(empty_engine, 200, seed=23, now=DEMO_NOW)
    return empty_engine


def _sub_with_orders(engine: Engine) -> Any:
    """An active subscription that has orders (its events go on the latest one)."""
    with engine.begin() as conn:
        sub_id = conn.execute(
            select(Order.subscription_id).where(Order.subscription_id.is_not(None)).order_by(Order.id)
        ).scalars().first()  # fmt: skip
        conn.execute(update(Subscription).where(Subscription.id == sub_id).values(status="active", status_reason=None))
        return conn.execute(select(Subscription).where(Subscription.id == sub_id)).first()


def _form(sub: Any, **values: Any) -> dict[str, Any]:
    base = {
        "status": sub.status, "status_reason": sub.status_reason or "", "cycle_kind": "month_day", "cycle_count": "1",
        "cycle_day": "15", "next_ship_date": "2026-12-13", "next_delivery_date": "2026-12-15",
    }  # fmt: skip
    return {**base, **values}


# ---- 定期受注管理 --------------------------------------------------------------------------------------


def test_the_subscription_list_filters_and_counts_alike(engine: Engine) -> None:
    with engine.connect() as conn:
        every = listing.count_subscriptions(conn, listing.SubscriptionQuery())
        assert every == conn.execute(select(func.count()).select_from(Subscription)).scalar_one()
        q = listing.parse_query({"status": "paused"})
        rows = listing.list_subscriptions(conn, q, 1, 500)
        assert rows and {r.status for r in rows} == {"停止"}
        assert len(rows) == listing.count_subscriptions(conn, q)
        name = rows[0].customer.split()[0]
        by_name = listing.list_subscriptions(conn, listing.parse_query({"customer": name}), 1, 500)
        assert by_name and all(name in r.customer for r in by_name)
        lo, hi = date(2026, 11, 20), date(2026, 11, 30)
        ranged = listing.list_subscriptions(conn, listing.parse_query({"next_from": "2026/11/20",
                                                                       "next_to": "2026-11-30"}), 1, 500)  # fmt: skip
        assert all(lo <= date.fromisoformat(r.next_delivery_date.replace("/", "-")) <= hi for r in ranged)
        page_2 = listing.list_subscriptions(conn, listing.SubscriptionQuery(), 2, 5)
        assert [r.id for r in page_2] == [r.id for r in listing.list_subscriptions(conn, listing.SubscriptionQuery(),
                                                                                   1, 10)][5:]  # fmt: skip


def test_a_bad_search_says_what_is_wrong(engine: Engine) -> None:
    with pytest.raises(FormError) as info:
        listing.parse_query({"status": "gone", "next_from": "2026-02-30", "customer": "x" * 101})
    assert info.value.errors == {
        "status": "ステータスを選択肢から選んでください。",
        "next_from": "次回配送予定日(開始)は「2026-01-31」の形式で入力してください。",
        "customer": "検索文字列は100文字以内で入力してください。",
    }


def test_basic_settings_save_with_sync_and_write_events(engine: Engine) -> None:
    sub = _sub_with_orders(engine)
    with engine.begin() as conn:
        conn.execute(update(ShopSettings).values(min_delivery_days=3))
        before = conn.execute(select(func.count()).select_from(OrderEvent)).scalar_one()
        form = _form(sub, status="paused", status_reason="長期不在", next_ship_date="2026-12-20", sync_delivery="on",
                     cycle_kind="month_weekday", cycle_week="5", cycle_weekday="4")  # fmt: skip
        listing.save_basic(conn, sub.id, form, None)
    with engine.connect() as conn:
        after = conn.execute(select(Subscription).where(Subscription.id == sub.id)).one()
        kinds = conn.execute(select(OrderEvent.kind, OrderEvent.value).where(OrderEvent.id > before)).all()
    assert (after.status, after.status_reason) == ("paused", "長期不在")
    assert (after.next_ship_date, after.next_delivery_date) == (date(2026, 12, 20), date(2026, 12, 23))
    assert (after.cycle_kind, after.cycle_week, after.cycle_weekday) == ("month_weekday", 5, 4)
    assert (events.SUBSCRIPTION_STATUS_CHANGED, "停止(長期不在)") in kinds
    assert events.SUBSCRIPTION_DATES_CHANGED in {k for k, _ in kinds}
    detail = listing.load_detail(engine.connect(), sub.id)
    assert detail is not None and ["お届けサイクル", "1ヶ月ごと 最終金曜日"] in detail.fields
    assert ["ステータス", "停止(長期不在)"] in detail.fields
    # 次回発送予定日へ同期する: the ship date follows the delivery date.
    with engine.begin() as conn:
        listing.save_basic(conn, sub.id, _form(sub, status="active", next_delivery_date="2027-01-10",
                                               sync_ship="on"), None)  # fmt: skip
        row = conn.execute(select(Subscription).where(Subscription.id == sub.id)).one()
    assert (row.status, row.status_reason, row.next_ship_date) == ("active", None, date(2027, 1, 7))


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"status": "paused", "status_reason": "気まぐれ"}, {"status_reason": "停止理由は選択肢から選んでください。"}),
        ({"status": "active", "status_reason": "顧客都合"},
         {"status_reason": "有効の場合、停止理由・キャンセル理由は指定できません。"}),
        ({"next_ship_date": "2026-13-01"},
         {"next_ship_date": "次回発送予定日は「2026-01-31」の形式で入力してください。"}),
        ({"sync_delivery": "on", "sync_ship": "on"},
         {"sync": "「次回配送予定日へ同期する」と「次回発送予定日へ同期する」はどちらか一方のみ指定できます。"}),
        ({"next_ship_date": "2026-12-20", "next_delivery_date": "2026-12-15"},
         {"next_ship_date": "次回発送予定日は次回配送予定日以前の日付にしてください。"}),
        ({"cycle_day": "32"}, {"cycle_day": "お届け日は1〜31の日付で入力してください(31は末日)。"}),
        ({"cycle_count": "0"}, {"cycle_count": "サイクルの間隔は1〜12の整数で入力してください。"}),
    ],
)  # fmt: skip
def test_bad_basic_settings_change_nothing(engine: Engine, values: dict[str, str], errors: dict[str, str]) -> None:
    sub = _sub_with_orders(engine)
    with pytest.raises(FormError) as info, engine.begin() as conn:
        listing.save_basic(conn, sub.id, _form(sub, **values), None)
    assert info.value.errors == errors
    with engine.connect() as conn:
        assert conn.execute(select(Subscription).where(Subscription.id == sub.id)).one() == sub


def test_memos_land_on_their_tab(engine: Engine) -> None:
    sub = _sub_with_orders(engine)
    with engine.begin() as conn:
        order_id = conn.execute(select(Order.id).where(Order.subscription_id == sub.id)).scalars().first()
        listing.add_memo(conn, sub.id, "  次回は玄関前に置き配  ", 1)
        customers.add_memo(conn, sub.customer_id, "電話は夕方以降", 1)
        add_order_memo(conn, int(order_id or 0), "同梱物の確認済み", 1)
    for add, target in ((listing.add_memo, sub.id), (customers.add_memo, sub.customer_id),
                        (add_order_memo, order_id)):  # fmt: skip
        for body, message in (
            ("   ", "メモを入力してください。"),
            ("あ" * 1001, "メモは1000文字以内で入力してください。"),
        ):
            with pytest.raises(FormError) as info, engine.begin() as conn:
                add(conn, target, body, 1)  # type: ignore[operator]
            assert info.value.errors == {"memo": message}
    with engine.connect() as conn:
        detail = listing.load_detail(conn, sub.id)
        customer = customers.load_customer(conn, sub.customer_id)
        counts = [conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (SubscriptionMemo, CustomerMemo)]  # fmt: skip
    with Session(engine) as s:
        order = load_order_detail(s, int(order_id or 0))
    assert detail is not None and detail.memos[0][1] == "次回は玄関前に置き配"
    assert customer is not None and customer.memos[0][1] == "電話は夕方以降"
    assert order is not None and order.memos[0][1] == "同梱物の確認済み"
    assert counts == [1, 1]


def test_the_order_history_of_a_subscription_links_its_orders(engine: Engine) -> None:
    sub = _sub_with_orders(engine)
    with engine.connect() as conn:
        detail = listing.load_detail(conn, sub.id)
        ids = set(conn.execute(select(Order.id).where(Order.subscription_id == sub.id)).scalars())
    assert detail is not None and {int(row[0]) for row in detail.orders} == ids


# ---- 顧客管理 ------------------------------------------------------------------------------------------


def test_the_customer_search_and_a_point_history_that_adds_up(engine: Engine) -> None:
    with engine.connect() as conn:
        with_email = (Customer.points_balance > 0, Customer.email.is_not(None))
        c = conn.execute(select(Customer).where(*with_email).order_by(Customer.id)).first()
        assert c is not None
        for text in (c.kana.split()[0], c.phone, c.email):
            rows = customers.list_customers(conn, text, 1, 500)
            assert c.id in {r.id for r in rows} and len(rows) <= customers.count_customers(conn, text)
        detail = customers.load_customer(conn, c.id)
        total = conn.execute(select(func.sum(PointLedger.delta)).where(PointLedger.customer_id == c.id)).scalar()
        # every demo customer's history explains the balance
        off = conn.execute(
            select(func.count()).where(
                Customer.points_balance
                != select(func.coalesce(func.sum(PointLedger.delta), 0))
                .where(PointLedger.customer_id == Customer.id)
                .scalar_subquery()
            )
        ).scalar_one()
    assert detail is not None and total == c.points_balance and off == 0
    assert detail.points_balance == f"{c.points_balance:,} pt"
    assert {row[1] for row in detail.points} <= {"付与", "利用", "調整", "返還", "取消"}
    assert {row[1] for row in detail.points} & {"付与", "利用"}
    with engine.connect() as conn:
        assert customers.count_customers(conn, "100%") == 0  # % is a character, not a wildcard
    with pytest.raises(FormError) as info:
        customers.check_query("x" * 101)
    assert info.value.errors == {"q": "検索文字列は100文字以内で入力してください。"}


def test_blacklist_on_and_off_and_a_bad_reason(engine: Engine) -> None:
    with engine.connect() as conn:
        cid = conn.execute(select(Customer.id).where(Customer.blacklisted.is_(False))).scalars().first()
    with engine.begin() as conn:
        customers.set_blacklist(conn, int(cid or 0), True, "受取拒否")
    with engine.connect() as conn:
        assert conn.execute(select(Customer.blacklisted, Customer.blacklist_reason).where(Customer.id == cid)).one() \
            == (True, "受取拒否")  # fmt: skip
    for on, reason, message in ((True, "嫌い", "ブラックリスト理由は選択肢から選んでください。"),
                                (False, "未払い", "ブラックリストに登録する場合のみ理由を指定できます。")):  # fmt: skip
        with pytest.raises(FormError) as info, engine.begin() as conn:
            customers.set_blacklist(conn, int(cid or 0), on, reason)
        assert info.value.errors == {"blacklist_reason": message}
    with engine.begin() as conn:
        customers.set_blacklist(conn, int(cid or 0), False, "")
        assert conn.execute(select(Customer.blacklisted, Customer.blacklist_reason).where(Customer.id == cid)).one() \
            == (False, None)  # fmt: skip
    with pytest.raises(FormError), engine.begin() as conn:
        customers.set_blacklist(conn, 999_999, True, "")


# ---- 受注詳細 ------------------------------------------------------------------------------------------


def test_recalculate_after_a_delivery_company_change(engine: Engine) -> None:
    """The seed: 一括更新 changed the 配送業者 → 受注商品管理's 再計算 brings 送料 and 合計 along."""
    with engine.begin() as conn:
        order = conn.execute(select(Order).order_by(Order.id)).first()
        assert order is not None
        other = conn.execute(
            select(DeliveryCompany.id).where(DeliveryCompany.id != order.delivery_company_id)
        ).scalars().first()  # fmt: skip
        conn.execute(
            update(DeliveryCompany).where(DeliveryCompany.id == other).values(fee=1234, free_shipping_from=None)
        )
        conn.execute(delete(PrefectureShippingFee).where(PrefectureShippingFee.delivery_company_id == other))
        its_products = select(OrderItem.product_id).where(OrderItem.order_id == order.id)
        conn.execute(update(Product).where(Product.id.in_(its_products)).values(shipping_fee=None))  # the company's
        conn.execute(update(Order).where(Order.id == order.id).values(delivery_company_id=other))
        operator = conn.execute(select(func.min(Operator.id))).scalar_one()
        total = recalculate_order(conn, order.id, operator)
        fee = conn.execute(select(shipping_fee_expr(None)).where(Order.id == order.id)).scalar_one()
        after = conn.execute(select(Order).where(Order.id == order.id)).one()
        event = conn.execute(
            select(OrderEvent.kind, OrderEvent.value, OrderEvent.operator_id).where(OrderEvent.order_id == order.id)
            .order_by(OrderEvent.id.desc())
        ).first()  # fmt: skip
    assert fee == 1234 != order.shipping_fee
    assert after.shipping_fee == fee and after.total == total
    assert total == after.subtotal + after.shipping_fee + after.payment_fee - after.points_used
    assert tuple(event or ()) == (events.RECALCULATED, f"¥{total:,}", operator)
    with pytest.raises(FormError), engine.begin() as conn:
        recalculate_order(conn, 999_999, None)


def test_the_order_grid_filters_by_the_subscription_status(engine: Engine) -> None:
    f = parse_filter({"subscription_status": "cancelled"})
    with engine.connect() as conn:
        got = set(conn.execute(select(Order.id).where(*conditions(f))).scalars())
        want = set(
            conn.execute(
                select(Order.id).join(Subscription, Subscription.id == Order.subscription_id)
                .where(Subscription.status == "cancelled")
            ).scalars()
        )  # fmt: skip
    assert got == want and got
    with pytest.raises(FormError):
        parse_filter({"subscription_status": "sleeping"})


def test_every_id_on_the_order_detail_leads_somewhere(engine: Engine) -> None:
    with Session(engine) as s:
        oid = s.execute(select(Order.id).where(Order.subscription_id.is_not(None))).scalars().first()
        detail = load_order_detail(s, int(oid or 0))
        order = s.get(Order, oid)
    assert detail is not None and order is not None
    assert (detail.customer_id, detail.subscription_id) == (order.customer_id, order.subscription_id)
