"""設定 > 受注/定期受注設定 > 受注/定期受注の設定: 自動受注作成日の指定, the 定期受注 engine's run time,
and the reasons the system writes when it sets 要対応 / 停止 / キャンセル by itself."""

from __future__ import annotations

import reflex as rx

from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters import reasons, shop
from ecweb_state.auth import AuthState

NONE = "none"  # a Radix select item cannot be empty: 「自動化設定」 (no reason chosen)
FIELDS = ("auto_order_days_before", "subscription_run_time", *[c for c, _ in shop.AUTO_REASONS.values()])


class OrderSettingsState(AuthState):
    auto_order_days_before: str = ""
    subscription_run_time: str = ""
    auto_attention_reason_id: str = NONE
    auto_sub_attention_reason_id: str = NONE
    auto_stop_reason_id: str = NONE
    auto_cancel_reason_id: str = NONE
    # kind -> [[id, name]] of the enabled reasons of each list
    attention_choices: list[list[str]] = []
    sub_attention_choices: list[list[str]] = []
    stop_choices: list[list[str]] = []
    cancel_choices: list[list[str]] = []
    errors: list[str] = []
    message: str = ""

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message = [], ""
        self._reload()

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in FIELDS:
            setattr(self, name, value)

    @rx.event
    def save(self) -> None:
        form = {name: getattr(self, name) for name in FIELDS}
        form = {k: ("" if v == NONE else v) for k, v in form.items()}
        try:
            with get_engine().begin() as conn:
                shop.save_order_settings(conn, form, operator_id=self._operator_id)
        except FormError as err:
            self.errors, self.message = list(err.errors.values()), ""
            return
        self.errors, self.message = [], "受注/定期受注の設定を保存しました。"
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            config = shop.shop_config(conn)
            for kind in shop.AUTO_REASONS:
                items = reasons.list_reasons(conn, kind)
                chosen = (config.auto_reason_ids or {}).get(kind)
                # Enabled reasons, and the chosen one even if it was disabled since (it cannot be:
                # a reason in use here cannot be disabled, but an old database might have one).
                setattr(
                    self,
                    f"{kind}_choices",
                    [[str(r.id), r.name] for r in items if r.enabled or r.id == chosen],
                )
        self.auto_order_days_before = str(config.auto_order_days_before)
        self.subscription_run_time = config.subscription_run_time
        for kind, (column, _) in shop.AUTO_REASONS.items():
            value = (config.auto_reason_ids or {}).get(kind)
            setattr(self, column, NONE if value is None else str(value))
