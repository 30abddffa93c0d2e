"""Demo data: realistic Japanese customers, products, subscriptions and orders, inserted set-based.

python -m ecweb_core.demo --orders 100000        # adds orders (and what they need)
python -m ecweb_core.demo --if-empty --orders 5000  # the run command: only on an empty database
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, literal, select, text, update
from sqlalchemy.engine import Connection, Engine

from ecweb_core.auth import hash_password
from ecweb_core.db import get_engine
from ecweb_core.fees import recompute_fees
from ecweb_core.masters.delivery import CompanyForm, save_company
from ecweb_core.masters.labels import create_label
from ecweb_core.masters.payment import MethodFeeForm, save_method_fees
from ecweb_core.masters.statuses import create_status
from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    DocumentTemplate,
    Label,
    Operator,
    Order,
    OrderItem,
    OrderLabel,
    OrderMemo,
    OrderStatus,
    PaymentMethod,
    PointLedger,
    Product,
    ProductBundle,
    ProductPrice,
    Subscription,
    SubscriptionItem,
    SurveyAnswer,
)
from ecweb_core.models.common import JST, utcnow
from ecweb_core.statuses import (
    CANCELLED,
    CONFIRMED,
    DELIVERED,
    IN_PROGRESS,
    RETURNED,
    SHIPPED,
    UNKNOWN,
)

DEMO_LOGIN, DEMO_PASSWORD = "demo", "demo1234"
DEMO_STAFF_LOGIN, DEMO_STAFF_PASSWORD = "staff", "staff-pass-2026"
DEMO_VIEWER_LOGIN, DEMO_VIEWER_PASSWORD = "viewer", "viewer-pass-2026"
DEMO_OPERATORS = (
    (DEMO_LOGIN, "デモ 担当者", DEMO_PASSWORD, "admin"),
    (DEMO_STAFF_LOGIN, "デモ 一般", DEMO_STAFF_PASSWORD, "staff"),
    (DEMO_VIEWER_LOGIN, "デモ 閲覧", DEMO_VIEWER_PASSWORD, "viewer"),
)
# Sample values of the shop's settings (the system rows come with the migrations): operator
# statuses, labels, companies with their fees, payment fees. 発送準備中 is left for the operator
# to create in 対応状況管理, as the seed's example rule does.
CUSTOM_STATUSES = ["出荷作業中", "入金待ち", "在庫確認中"]
LABELS = [("ギフト", "red"), ("同梱あり", "blue"), ("優良顧客", "green"), ("要確認", "orange"), ("初回購入", "purple")]
# name, 基本送料, 送料無料 from, 都道府県別送料
DELIVERY_COMPANIES: list[tuple[str, int, int | None, dict[str, int]]] = [
    ("ヤマト運輸", 600, 10000, {"北海道": 1200, "沖縄県": 1500}),
    ("佐川急便", 550, None, {"北海道": 1100, "沖縄県": 1400}),
    ("日本郵便", 500, None, {}),
]
# code -> (支払い手数料, amount tiers {from: fee})
PAYMENT_FEES: dict[str, tuple[int, dict[int, int]]] = {
    "np": (250, {}),
    "np_wiz": (250, {}),
    "cod": (330, {10000: 440, 30000: 660}),
}
PRODUCTS = [
    # code, name, price (tax-inclusive), own payment fee, own shipping fee, tax rate (supplements and
    # drinks are food: the reduced 8 %)
    ("SKN-001", "薬用美白美容液 30mL", 4980, None, None, 10),
    ("SKN-002", "保湿クリーム しっとり 50g", 3520, None, None, 10),
    ("SKN-003", "オールインワンジェル 100g", 2980, None, 0, 10),
    ("SKN-004", "クレンジングバーム 90g", 2640, None, None, 10),
    ("SUP-001", "乳酸菌サプリ 30日分", 3980, 0, 0, 8),
    ("SUP-002", "コラーゲンドリンク 10本", 5400, None, None, 8),
    ("SUP-003", "青汁 大麦若葉 30包", 3240, None, None, 8),
    ("SUP-004", "マルチビタミン 60粒", 1980, None, None, 8),
    ("HAR-001", "アミノ酸シャンプー 300mL", 2800, None, None, 10),
    ("HAR-002", "ヘアトリートメント 250g", 3080, None, None, 10),
    ("SMP-001", "お試しトライアルセット", 980, 0, 0, 10),
    ("CUS-001", "パーソナライズ美容液 (1d-color)", 6800, None, None, 10),
]
# Subscription prices per delivery count (初回 / 2回目以降 / …) and 同梱品 per delivery: code, from count, price.
PRODUCT_PRICES = [("SKN-001", 1, 1980), ("SKN-001", 2, 3980), ("SUP-001", 1, 980), ("SUP-001", 2, 3480),
                  ("SUP-003", 3, 2980)]  # fmt: skip
PRODUCT_BUNDLES = [("SKN-001", 2, "SMP-001", 1), ("SUP-001", 3, "SUP-004", 1)]  # code, delivery, bundled code, qty
# The demo shop's block on its documents (a fictitious 登録番号 with a valid check digit).
DEMO_SHOP = {
    "shop_name": "ecweb デモショップ",
    "shop_postal_code": "150-0001",
    "shop_address": "東京都渋谷区神宮前1-2-3 ecwebビル5F",
    "shop_phone": "03-1234-5678",
    "registration_number": "T7123456789012",
}
SURNAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
]
GIVEN = [
    ("陽子", "ヨウコ"),
    ("美咲", "ミサキ"),
    ("さくら", "サクラ"),
    ("花子", "ハナコ"),
    ("由美", "ユミ"),
    ("恵子", "ケイコ"),
    ("真由美", "マユミ"),
    ("愛", "アイ"),
    ("結衣", "ユイ"),
    ("直美", "ナオミ"),
    ("健一", "ケンイチ"),
    ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"),
    ("誠", "マコト"),
    ("拓也", "タクヤ"),
]
PREFS = [
    ("東京都", "渋谷区神宮前"),
    ("大阪府", "大阪市北区梅田"),
    ("神奈川県", "横浜市西区みなとみらい"),
    ("愛知県", "名古屋市中区栄"),
    ("福岡県", "福岡市中央区天神"),
    ("北海道", "札幌市中央区大通西"),
    ("京都府", "京都市下京区四条通"),
    ("宮城県", "仙台市青葉区一番町"),
]
SURVEY = [("肌質", ["乾燥肌", "脂性肌", "混合肌", "普通肌"]), ("気になる悩み", ["シミ", "毛穴", "くすみ", "ハリ"])]
MEMOS = ["お届け日時の変更依頼あり", "ギフト包装希望", "不在が多いため置き配希望", "電話で問い合わせあり"]

PREPARING = "出荷作業中"  # the sample status of orders whose 出荷リスト is out, not yet shipped
# (status id — or an operator status by name —, payment status, weight)
STATUS_MIX: list[tuple[int | str, str, int]] = [
    (IN_PROGRESS, "auth_requested", 2),
    (CONFIRMED, "authorized", 20),
    (CONFIRMED, "credit_review", 3),
    (PREPARING, "authorized", 8),
    (SHIPPED, "captured", 30),
    (DELIVERED, "captured", 25),
    (CANCELLED, "cancelled", 6),
    (RETURNED, "cancelled", 2),
    (UNKNOWN, "auth_failed", 1),
    (CONFIRMED, "unpaid", 3),
]


def _t(model: Any) -> Table:
    return model.__table__


def _chunks(rows: Iterator[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    buf: list[dict[str, Any]] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def _max_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


def ensure_reference_data(conn: Connection) -> None:
    """Sample settings (statuses, labels, companies, fees), products and the demo operator, once.

    The settings go through the same core functions as the 設定 screens."""
    if not conn.execute(select(func.count()).select_from(_t(Product))).scalar_one():
        have = set(conn.execute(select(_t(OrderStatus).c.name)).scalars())
        for name in CUSTOM_STATUSES:
            if name not in have:
                create_status(conn, name)
        if not conn.execute(select(func.count()).select_from(_t(Label))).scalar_one():
            for name, color in LABELS:
                create_label(conn, name, color)
        if not conn.execute(select(func.count()).select_from(_t(DeliveryCompany))).scalar_one():
            for name, fee, free_from, prefs in DELIVERY_COMPANIES:
                form = CompanyForm(
                    name=name,
                    fee=str(fee),
                    free_from="" if free_from is None else str(free_from),
                    prefecture_fees=[[p, str(f)] for p, f in prefs.items()],
                )
                save_company(conn, None, form)
        methods = dict(conn.execute(select(_t(PaymentMethod).c.code, _t(PaymentMethod).c.id)).all())
        for code, (fee, tiers) in PAYMENT_FEES.items():
            if code in methods:
                tier_rows = [[str(low), str(f)] for low, f in tiers.items()]
                save_method_fees(conn, methods[code], MethodFeeForm(fee=str(fee), tiers=tier_rows))
        conn.execute(
            insert(_t(Product)),
            [
                {"code": c, "name": n, "price": pr, "payment_fee": pf, "shipping_fee": sf, "tax_rate": tr}
                for c, n, pr, pf, sf, tr in PRODUCTS
            ],
        )
        ids = {r.code: r.id for r in conn.execute(select(_t(Product).c.code, _t(Product).c.id))}
        prices = [{"product_id": ids[c], "from_count": n, "price": p} for c, n, p in PRODUCT_PRICES]
        conn.execute(insert(_t(ProductPrice)), prices)
        conn.execute(
            insert(_t(ProductBundle)),
            [{"product_id": ids[c], "delivery_count": n, "bundled_product_id": ids[b], "quantity": q}
             for c, n, b, q in PRODUCT_BUNDLES],
        )  # fmt: skip
        conn.execute(update(_t(DocumentTemplate)).values(**DEMO_SHOP))
    # The demo operators, one per role (README lists their passwords).
    for login, name, password, role in DEMO_OPERATORS:
        if not conn.execute(select(_t(Operator).c.id).where(_t(Operator).c.login == login)).first():
            conn.execute(
                insert(_t(Operator)),
                [{"login": login, "name": name, "password_hash": hash_password(password), "role": role,
                  "disabled": False, "created_at": utcnow()}],
            )  # fmt: skip


def generate(engine: Engine, orders: int, seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    """Adds `orders` orders with the customers and subscriptions they need. Returns row counts."""
    rng = random.Random(seed)
    now = now or utcnow()
    with engine.begin() as conn:
        ensure_reference_data(conn)
        pm = _t(PaymentMethod)
        methods = {r.code: (r.id, r.fee) for r in conn.execute(select(pm).order_by(pm.c.position, pm.c.id))}
        companies = [
            (r.id, r.fee) for r in conn.execute(select(_t(DeliveryCompany)).order_by(_t(DeliveryCompany).c.id))
        ]
        product_rows = conn.execute(select(_t(Product))).all()
        products = [(r.id, r.name, r.price, r.payment_fee, r.shipping_fee, r.tax_rate) for r in product_rows]
        status_ids = dict(conn.execute(select(_t(OrderStatus).c.name, _t(OrderStatus).c.id)).all())
        label_ids = [r.id for r in conn.execute(select(_t(Label).c.id).order_by(_t(Label).c.id))]
        n_customers = max(20, orders // 4)
        cust0, sub0, order0 = _max_id(conn, _t(Customer)), _max_id(conn, _t(Subscription)), _max_id(conn, _t(Order))
        item0 = _max_id(conn, _t(OrderItem))

        def customers() -> Iterator[dict[str, Any]]:
            for k in range(n_customers):
                (sn, sk), (gn, gk) = rng.choice(SURNAMES), rng.choice(GIVEN)
                pref, town = rng.choice(PREFS)
                cid = cust0 + k + 1
                yield {
                    "id": cid,
                    "name": f"{sn} {gn}",
                    "kana": f"{sk} {gk}",
                    "email": f"customer{cid}@example.jp" if rng.random() > 0.02 else None,
                    "phone": f"0{rng.randint(70, 90)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                    "postal_code": f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                    "prefecture": pref,
                    "address": f"{town}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                    "mail_opt_in": rng.random() > 0.1,
                    "blacklisted": rng.random() < 0.01,
                    "blacklist_reason": None,
                    "points_balance": rng.choice([0, 0, 100, 300, 500, 1200]),
                    "created_at": now,
                }

        for chunk in _chunks(customers()):
            conn.execute(insert(_t(Customer)), chunk)

        n_subs = max(5, n_customers // 5)
        method_codes = list(methods)
        sub_rows: list[tuple[int, int, int, int]] = []  # id, customer, method, company
        today = now.astimezone(JST).date()
        subs, sub_items = [], []
        for k in range(n_subs):
            sid, cid = sub0 + k + 1, cust0 + rng.randint(1, n_customers)
            mid, comp = methods[rng.choice(["credit", "credit", "np", "amazon_pay"])][0], rng.choice(companies)[0]
            nxt = today + timedelta(days=rng.randint(-3, 40))
            status = rng.choices(["active", "paused", "cancelled"], [80, 10, 10])[0]
            subs.append(
                {
                    "id": sid,
                    "customer_id": cid,
                    "payment_method_id": mid,
                    "delivery_company_id": comp,
                    "cycle_kind": "month_day",
                    "cycle_day": nxt.day,
                    "cycle_count": rng.choice([1, 1, 2, 3]),
                    "next_ship_date": nxt - timedelta(days=2),
                    "next_delivery_date": nxt,
                    "status": status,
                    "status_reason": None if status == "active" else "顧客都合",
                    "delivery_count": rng.randint(1, 12),
                    "needs_attention": rng.random() < 0.03,
                    "attention_reason": None,
                    "created_at": now,
                }
            )
            pid, _name, price, *_ = rng.choice(products)
            subs[-1]["next_subtotal"] = price
            sub_items.append({"subscription_id": sid, "product_id": pid, "quantity": 1, "unit_price": price})
            sub_rows.append((sid, cid, mid, comp))
        for chunk in _chunks(iter(subs)):
            conn.execute(insert(_t(Subscription)), chunk)
        conn.execute(insert(_t(SubscriptionItem)), sub_items)

        # An operator status the shop no longer has (renamed, deleted) stands back as 注文確定.
        mix = [(s if isinstance(s, int) else status_ids.get(s, CONFIRMED), p) for s, p, _ in STATUS_MIX]
        preparing = status_ids.get(PREPARING)
        weights = [w for _, _, w in STATUS_MIX]
        counts = {"orders": 0, "items": 0, "labels": 0, "surveys": 0, "memos": 0}
        item_id = item0

        def order_rows() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
            nonlocal item_id
            for k in range(orders):
                oid = order0 + k + 1
                if rng.random() < 0.35:
                    _, cid, mid, comp = rng.choice(sub_rows)
                    sub_id: int | None = _
                else:
                    cid, sub_id = cust0 + rng.randint(1, n_customers), None
                    mid, comp = (
                        methods[rng.choices(method_codes, [50, 15, 8, 10, 12, 5])[0]][0],
                        rng.choice(companies)[0],
                    )
                status, pay = rng.choices(mix, weights)[0]
                # Ids are given as orders arrive, so ordered_at rises with the id (with jitter under
                # one slot), as in a real shop: index locality then matches production's.
                ordered = now - timedelta(days=365 * (orders - k - rng.random()) / orders)
                ordered_at = None if status == IN_PROGRESS else ordered
                items, extra = [], []
                subtotal = 0
                for _i in range(rng.choice([1, 1, 1, 2, 2, 3])):
                    pid, pname, price, _pfee, _sfee, rate = rng.choice(products)
                    qty = rng.choice([1, 1, 1, 2])
                    item_id += 1
                    items.append(
                        {
                            "id": item_id,
                            "order_id": oid,
                            "product_id": pid,
                            "product_name": pname,
                            "unit_price": price,
                            "quantity": qty,
                            "tax_rate": rate,
                        }
                    )
                    subtotal += price * qty
                points_used = rng.choice([0, 0, 0, 100, 300])
                shipped = status in (SHIPPED, DELIVERED, RETURNED)
                shipped_at = ordered + timedelta(days=rng.randint(1, 4)) if shipped else None
                if shipped_at and shipped_at > now:  # too recent to have shipped yet
                    status, pay, shipped, shipped_at = CONFIRMED, "authorized", False, None
                delivered_at = (
                    shipped_at + timedelta(days=rng.randint(1, 3)) if shipped_at and status != SHIPPED else None
                )
                if delivered_at and delivered_at > now:
                    status, delivered_at = SHIPPED, None
                row = {
                    "id": oid,
                    "number": f"EC{oid:08d}",
                    "customer_id": cid,
                    "subscription_id": sub_id,
                    "payment_method_id": mid,
                    "delivery_company_id": comp,
                    "tracking_number": f"{rng.randint(10**11, 10**12 - 1)}" if shipped else None,
                    "status_id": status,
                    "payment_status": pay,
                    "ordered_at": ordered_at,
                    "scheduled_ship_date": (ordered + timedelta(days=2)).astimezone(JST).date(),
                    "shipped_at": shipped_at,
                    "scheduled_delivery_date": (ordered + timedelta(days=4)).astimezone(JST).date(),
                    "delivered_at": delivered_at,
                    "paid_at": shipped_at if pay == "captured" else None,
                    "shipping_list_exported": shipped or status == preparing,
                    "shipping_list_exported_at": (ordered + timedelta(days=1))
                    if shipped or status == preparing
                    else None,
                    "needs_attention": rng.random() < 0.04,
                    "attention_reason": None,
                    "np_transaction_id": f"NP{oid:010d}" if mid in (methods["np"][0], methods["np_wiz"][0]) else None,
                    "np_transaction_cancelled": False,
                    "subtotal": subtotal,
                    "shipping_fee": 0,  # the fees come from the shop's settings (recompute_fees)
                    "payment_fee": 0,
                    "points_used": points_used,
                    "points_granted": subtotal // 100,
                    "total": subtotal - points_used,
                    "created_at": ordered,
                    "updated_at": ordered,
                }
                if row["needs_attention"]:
                    row["attention_reason"] = rng.choice(["住所不備", "与信確認", "在庫不足"])
                if rng.random() < 0.12:
                    for lid in rng.sample(label_ids, rng.choice([1, 1, 2])):
                        extra.append(("label", {"order_id": oid, "label_id": lid}))
                if rng.random() < 0.05:
                    for q, answers in SURVEY:
                        extra.append(
                            (
                                "survey",
                                {
                                    "order_id": oid,
                                    "order_item_id": items[0]["id"],
                                    "question": q,
                                    "answer": rng.choice(answers),
                                    "created_at": ordered,
                                },
                            )
                        )
                if rng.random() < 0.03:
                    extra.append(
                        (
                            "memo",
                            {"order_id": oid, "body": rng.choice(MEMOS), "operator_id": None, "created_at": ordered},
                        )
                    )
                yield row, items, extra

        batch_orders: list[dict[str, Any]] = []
        batch_items: list[dict[str, Any]] = []
        batch_extra: dict[str, list[dict[str, Any]]] = {"label": [], "survey": [], "memo": []}
        tables = {"label": _t(OrderLabel), "survey": _t(SurveyAnswer), "memo": _t(OrderMemo)}

        def flush() -> None:
            if batch_orders:
                conn.execute(insert(_t(Order)), batch_orders)
                conn.execute(insert(_t(OrderItem)), batch_items)
                first, last = batch_orders[0]["id"], batch_orders[-1]["id"]
                recompute_fees(conn, _t(Order).c.id.between(first, last))
            for kind, rows in batch_extra.items():
                if rows:
                    conn.execute(insert(tables[kind]), rows)
            counts["orders"] += len(batch_orders)
            counts["items"] += len(batch_items)
            counts["labels"] += len(batch_extra["label"])
            counts["surveys"] += len(batch_extra["survey"])
            counts["memos"] += len(batch_extra["memo"])
            batch_orders.clear()
            batch_items.clear()
            for rows in batch_extra.values():
                rows.clear()

        for row, items, extra in order_rows():
            batch_orders.append(row)
            batch_items.extend(items)
            for kind, r in extra:
                batch_extra[kind].append(r)
            if len(batch_orders) >= 5000:
                flush()
        flush()
        _point_history(conn, cust0, order0)
        if conn.dialect.name == "postgresql":
            for table in ("customers", "subscriptions", "orders", "order_items"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
            # Fresh statistics, or the planner costs chunk queries on a just-loaded database as if
            # every order had hundreds of items (seq scans instead of the primary key).
            conn.execute(text("ANALYZE"))
        counts["customers"] = n_customers
        counts["subscriptions"] = n_subs
    return counts


def _point_history(conn: Connection, cust0: int, order0: int) -> None:
    """顧客管理's ポイント tab: an opening balance per customer, then each generated order's 利用 and
    付与, so that the history adds up to the balance (set-based: four statements for any size)."""
    o, c, pl = _t(Order).c, _t(Customer).c, _t(PointLedger)
    cols = ["customer_id", "order_id", "delta", "reason", "created_at"]
    mine = o.id > order0
    net = (
        select(func.coalesce(func.sum(o.points_granted - o.points_used), 0))
        .where(o.customer_id == c.id, mine)
        .scalar_subquery()
    )
    larger = func.max if conn.dialect.name == "sqlite" else func.greatest
    conn.execute(update(_t(Customer)).where(c.id > cust0).values(points_balance=larger(0, c.points_balance + net)))
    first = (
        select(func.min(func.coalesce(o.ordered_at, o.created_at))).where(o.customer_id == c.id, mine).scalar_subquery()
    )
    opening = select(c.id, literal(None), c.points_balance - net, literal("ポイント移行(開始残高)"),
                     func.coalesce(first, c.created_at))  # fmt: skip
    conn.execute(insert(pl).from_select(cols, opening.where(c.id > cust0, c.points_balance - net != 0)))
    used = select(
        o.customer_id, o.id, -o.points_used, literal("受注: ポイント利用"), func.coalesce(o.ordered_at, o.created_at)
    )
    conn.execute(insert(pl).from_select(cols, used.where(mine, o.points_used > 0)))
    granted = select(
        o.customer_id, o.id, o.points_granted, literal("受注: ポイント付与"), func.coalesce(o.ordered_at, o.created_at)
    )
    conn.execute(insert(pl).from_select(cols, granted.where(mine, o.points_granted > 0)))


def has_orders(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(_t(Order).c.id).limit(1)).first() is not None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate ecweb demo data.")
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--if-empty", action="store_true", help="do nothing when orders exist")
    args = parser.parse_args(argv)
    engine = get_engine()
    if args.if_empty and has_orders(engine):
        print("demo data: orders exist, nothing generated")
        return
    started = time.perf_counter()
    counts = generate(engine, args.orders, seed=args.seed)
    elapsed = time.perf_counter() - started
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    print(f"demo data: {counts} in {elapsed:.1f}s ({counts['orders'] / max(elapsed, 1e-9):,.0f} orders/s)")


if __name__ == "__main__":
    main()
