"""設定 > 受注/定期受注設定 > 受注/定期受注の設定: 自動受注作成日の指定, the 定期受注 engine's daily
run time, and the reasons written when the system sets 要対応 / 停止 / キャンセル."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb.components.settings_bits import field_row, saved
from ecweb_state.order_settings import NONE
from ecweb_state.order_settings import OrderSettingsState as S


def _reason_select(column: str, choices: rx.Var) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="16em", id=f"setting-{column}"),
        rx.select.content(
            rx.select.item("「自動化設定」と記録する", value=NONE),
            rx.foreach(choices, lambda c: rx.select.item(c[1], value=c[0])),
        ),
        value=getattr(S, column),
        on_change=lambda v: S.set_field(column, v),
    )


def order_settings_page() -> rx.Component:
    return page_frame(
        "受注/定期受注の設定",
        rx.card(
            rx.text("定期受注", weight="bold", size="3", margin_bottom="0.75em"),
            rx.vstack(
                field_row(
                    "自動受注作成日の指定",
                    rx.hstack(
                        rx.text("次回配送予定日の", size="2"),
                        rx.input(
                            value=S.auto_order_days_before,
                            on_change=lambda v: S.set_field("auto_order_days_before", v),
                            width="5em",
                            id="setting-auto_order_days_before",
                        ),
                        rx.text("日前に受注を作成する", size="2"),
                        align="center",
                    ),
                    "次回配送予定日が当日以前の定期受注は、翌日からサイクルに従って毎日受注が作成されます(0〜60日)。",
                ),
                field_row(
                    "自動受注作成の実行時刻",
                    rx.hstack(
                        rx.text("毎日", size="2"),
                        rx.input(
                            value=S.subscription_run_time,
                            on_change=lambda v: S.set_field("subscription_run_time", v),
                            width="6em",
                            placeholder="04:00",
                            id="setting-subscription_run_time",
                        ),
                        rx.text("(日本時間)", size="2"),
                        align="center",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            max_width="900px",
            margin_bottom="1em",
        ),
        rx.card(
            rx.text("要対応・停止・キャンセルの理由(自動化設定・定期受注の自動処理)", weight="bold", size="3"),
            rx.text(
                "自動化設定のアクションなど、システムが要対応・停止・キャンセルにするときに記録する理由です。"
                "選択肢は 設定 > 理由管理 で編集できます。",
                size="1",
                color_scheme="gray",
                margin_bottom="0.75em",
            ),
            rx.vstack(
                field_row("受注を要対応にするとき", _reason_select("auto_attention_reason_id", S.attention_choices)),
                field_row(
                    "定期受注を要対応にするとき",
                    _reason_select("auto_sub_attention_reason_id", S.sub_attention_choices),
                ),
                field_row("定期受注を停止にするとき", _reason_select("auto_stop_reason_id", S.stop_choices)),
                field_row("定期受注をキャンセルにするとき", _reason_select("auto_cancel_reason_id", S.cancel_choices)),
                spacing="3",
                width="100%",
            ),
            max_width="900px",
            margin_bottom="1em",
        ),
        rx.vstack(
            form_errors(S.errors, "order-settings-errors"),
            saved(S.message, "order-settings-message"),
            rx.button("この内容で保存する", on_click=S.save, id="save-order-settings"),
            max_width="900px",
            spacing="3",
        ),
    )
