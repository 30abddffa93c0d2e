from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Integer, text
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class OrderStatus(SQLModel, table=True):
    """対応状況: the system ones keep fixed ids (see statuses.py); operators add their own."""

    __tablename__ = "order_statuses"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    is_system: bool = False
    position: int = 0
    enabled: bool = True  # a disabled operator status is no longer offered for new changes


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        # Each filter the grid offers, followed by the default sort (受注日, id), so a page is an
        # index range scan even deep in the results (bench/RESULTS.md).
        Index("ix_orders_ordered_at_id", "ordered_at", "id"),
        Index("ix_orders_status_ordered", "status_id", "ordered_at", "id"),
        Index("ix_orders_payment_status_ordered", "payment_status", "ordered_at", "id"),
        Index("ix_orders_customer_ordered", "customer_id", "ordered_at", "id"),
        Index("ix_orders_attention_list_ordered", "needs_attention", "shipping_list_exported", "ordered_at", "id"),
        # Filters that yield ids (labels, パーソナライズ) sort them by ordered_at without touching the table.
        Index("ix_orders_id_ordered", "id", "ordered_at"),
        # At most one order per subscription and delivery of its cycle, whatever runs twice.
        Index("uq_orders_subscription_cycle", "subscription_id", "subscription_cycle_date", unique=True),
        # Only the orders that carry a 要対応理由: 理由管理 counts and guards each reason's use cheaply.
        Index(
            "ix_orders_attention_reason",
            "attention_reason",
            sqlite_where=text("attention_reason IS NOT NULL"),
            postgresql_where=text("attention_reason IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    customer_id: int = Field(foreign_key="customers.id")
    subscription_id: int | None = Field(default=None, foreign_key="subscriptions.id", index=True)
    # The delivery of the subscription's cycle this order is (set by the 定期受注 engine / 手動作成).
    subscription_cycle_date: date | None = None
    payment_method_id: int = Field(foreign_key="payment_methods.id", index=True)
    delivery_company_id: int = Field(foreign_key="delivery_companies.id", index=True)
    tracking_number: str | None = Field(default=None, max_length=64)  # 配送伝票番号
    status_id: int = Field(foreign_key="order_statuses.id")  # 対応状況
    payment_status: str = Field(max_length=32)  # 決済状況 (a code of payment.PAYMENT_STATUSES)
    ordered_at: datetime | None = None  # None while 注文中 or when the first credit check failed
    scheduled_ship_date: date | None = Field(default=None, index=True)
    shipped_at: datetime | None = Field(default=None, index=True)
    scheduled_delivery_date: date | None = Field(default=None, index=True)
    delivered_at: datetime | None = Field(default=None, index=True)
    paid_at: datetime | None = None
    shipping_list_exported: bool = Field(default=False, index=True)  # 出荷リスト 未出力 / 出力済
    shipping_list_exported_at: datetime | None = None
    needs_attention: bool = Field(default=False, index=True)
    attention_reason: str | None = Field(default=None, max_length=255)
    np_transaction_id: str | None = Field(default=None, max_length=64)  # 受注内NP決済連携情報
    np_transaction_cancelled: bool = False
    # The provider's transaction this order's 決済状況 refers to, and the method it was made with
    # (a 支払方法 changed since then needs 再オーソリ処理).
    payment_ref: str | None = Field(default=None, max_length=64)
    payment_ref_method: str | None = Field(default=None, max_length=32)
    # 取消処理 gave back the points used and took back the points granted (once per order).
    points_reversed_at: datetime | None = None
    subtotal: int = 0
    shipping_fee: int = 0
    payment_fee: int = 0
    points_used: int = 0
    points_granted: int = 0
    total: int = Field(default=0, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderItem(SQLModel, table=True):
    __tablename__ = "order_items"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    product_id: int = Field(foreign_key="products.id")
    product_name: str = Field(max_length=200)
    unit_price: int  # tax-inclusive (総額表示)
    quantity: int = 1
    # The product's rate when it was ordered: an invoice states the rate the sale was made at.
    tax_rate: int = Field(default=10, sa_column_kwargs={"server_default": "10"})


class Label(SQLModel, table=True):
    """受注ラベル."""

    __tablename__ = "labels"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    color: str = Field(default="gray", max_length=16)  # a Radix colour name (masters.labels.COLORS)
    position: int = 0
    enabled: bool = True


class OrderLabel(SQLModel, table=True):
    __tablename__ = "order_labels"
    __table_args__ = (Index("ix_order_labels_label_order", "label_id", "order_id"),)
    order_id: int = Field(foreign_key="orders.id", primary_key=True)
    label_id: int = Field(foreign_key="labels.id", primary_key=True)


class OrderMemo(SQLModel, table=True):
    __tablename__ = "order_memos"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    body: str
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)


class OrderEvent(SQLModel, table=True):
    """What happened to an order: its history, and the outbox the automation engine drains."""

    __tablename__ = "order_events"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    kind: str = Field(max_length=32)  # e.g. created, status_changed, tracking_number_set
    value: str | None = Field(default=None, max_length=255)
    source: str = Field(default="system", max_length=32)  # bulk job, ui, rule, subscription, payment
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = Field(default=None, index=True)
    # The change that started a chain of automation rules (None: this event is itself an origin)
    # and how many rules deep it is: the engine's cycle detection and depth limit.
    origin_event_id: int | None = None
    # A server default, not a Python one: 一括更新 inserts events with INSERT … SELECT (UNION ALL).
    depth: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class DunningRecord(SQLModel, table=True):
    """督促: a history entry only; nothing is sent to the customer."""

    __tablename__ = "dunning_records"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    due_date: date | None = None
    memo: str | None = None
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)


class SurveyAnswer(SQLModel, table=True):
    """アンケート (1d-color パーソナライズ) answers of an order."""

    __tablename__ = "survey_answers"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    order_item_id: int | None = Field(default=None, foreign_key="order_items.id")
    question: str = Field(max_length=255)
    answer: str
    created_at: datetime = Field(default_factory=utcnow)
