from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class Subscription(SQLModel, table=True):
    """定期受注."""

    __tablename__ = "subscriptions"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    payment_method_id: int = Field(foreign_key="payment_methods.id")
    delivery_company_id: int = Field(foreign_key="delivery_companies.id")
    # お届けサイクル (subscriptions/cycles.py): every N days / weeks / months on a day / months on
    # the n-th weekday; the next delivery always follows from the previous scheduled one.
    cycle_kind: str = Field(default="month_day", max_length=16)
    cycle_count: int = 1
    cycle_day: int | None = None  # month_day: 1..31 (31: the month's last day)
    cycle_week: int | None = None  # month_weekday: 1..4, 5 = last
    cycle_weekday: int | None = None  # month_weekday: 0 (月) .. 6 (日)
    next_ship_date: date | None = Field(default=None, index=True)
    next_delivery_date: date | None = Field(default=None, index=True)
    status: str = Field(default="active", max_length=16, index=True)  # active | paused | cancelled
    status_reason: str | None = Field(default=None, max_length=255)
    delivery_count: int = 0  # 定期回数
    next_subtotal: int = 0  # the next delivery's items at their price for that delivery count (再計算)
    needs_attention: bool = False
    attention_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class SubscriptionItem(SQLModel, table=True):
    __tablename__ = "subscription_items"
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscriptions.id", index=True)
    product_id: int = Field(foreign_key="products.id")
    quantity: int = 1
    unit_price: int = 0  # the price for the next delivery (ProductPrice by delivery count)
    bundled: bool = False  # a 同梱品 of the next delivery, added by 再計算


class SubscriptionMemo(SQLModel, table=True):
    __tablename__ = "subscription_memos"
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscriptions.id", index=True)
    body: str
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)


class SubscriptionRun(SQLModel, table=True):
    """One day's run of the 定期受注 engine: which days ran, so missed days are caught up."""

    __tablename__ = "subscription_runs"
    run_date: date = Field(primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    orders_created: int = 0
