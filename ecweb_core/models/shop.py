from __future__ import annotations

from sqlmodel import Field, SQLModel


class ShopSettings(SQLModel, table=True):
    """One row (id = 1) of shop-wide settings."""

    __tablename__ = "shop_settings"
    id: int | None = Field(default=None, primary_key=True)
    shop_name: str = Field(default="ecweb デモショップ", max_length=100)
    min_delivery_days: int = 2  # 最短お届け日の指定
    auto_order_days_before: int = 7  # 自動受注作成日の指定 (days before the next delivery date)
    survey_integration_enabled: bool = False  # 外部連携サービスアカウント管理: 1d-color
