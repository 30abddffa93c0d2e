from __future__ import annotations

from sqlmodel import Field, SQLModel


class ShopSettings(SQLModel, table=True):
    """One row (id = 1) of shop-wide settings (the row comes with the migrations; screens edit it)."""

    __tablename__ = "shop_settings"
    id: int | None = Field(default=None, primary_key=True)
    shop_name: str = Field(default="ecweb デモショップ", max_length=100)
    min_delivery_days: int = 2  # 最短お届け日の指定 (配送/送料設定)
    auto_order_days_before: int = 7  # 自動受注作成日の指定 (days before the next delivery date)
    subscription_run_time: str = Field(default="04:00", max_length=5)  # the daily run of the 定期受注 engine, JST
    survey_integration_enabled: bool = False  # 外部連携サービスアカウント管理: 1d-color
    # The reasons written when the system (a 自動化設定 rule, the 定期受注 engine) sets 要対応 / 停止 /
    # キャンセル without an operator choosing one; None: 「自動化設定」.
    auto_attention_reason_id: int | None = Field(default=None, foreign_key="reasons.id")
    auto_sub_attention_reason_id: int | None = Field(default=None, foreign_key="reasons.id")
    auto_stop_reason_id: int | None = Field(default=None, foreign_key="reasons.id")
    auto_cancel_reason_id: int | None = Field(default=None, foreign_key="reasons.id")
