"""一括更新 dialog (SPEC B1): every field, each 「変更しない」 unless the operator picks a value."""

from __future__ import annotations

import reflex as rx

from ecweb.components.job_dialog import job_dialog
from ecweb_core.jobs.bulk_update_params import DATE_FIELDS
from ecweb_state.job_forms import KEEP, BulkUpdateFormState
from ecweb_state.orders import OrdersState


def _row(label: str, control: rx.Component) -> rx.Component:
    return rx.grid(
        rx.text(label, size="2", weight="medium", padding_top="4px"),
        control,
        columns="150px 1fr",
        spacing="2",
        width="100%",
    )


def _select(
    name: str, options: list[tuple[str, str]] | rx.Var, on_change: rx.EventHandler | None = None
) -> rx.Component:
    items = (
        [rx.select.item(label, value=value) for value, label in options]
        if isinstance(options, list)
        else [rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))]
    )
    return rx.select.root(
        rx.select.trigger(width="100%", id=f"bu-{name}"),
        rx.select.content(rx.select.item("変更しない", value=KEEP), *items),
        name=name,
        default_value=KEEP,
        size="1",
        on_change=on_change,
    )


def _date_field(key: str, label: str) -> rx.Component:
    return _row(
        label,
        rx.grid(
            _select(f"{key}_mode", [("set", "上書き"), ("clear", "削除")]),
            rx.input(name=key, id=f"bu-{key}", placeholder="2026-01-31", size="1", width="100%"),
            columns="140px 1fr",
            spacing="2",
            width="100%",
        ),
    )


def _label_boxes() -> rx.Component:
    return rx.flex(
        rx.foreach(
            OrdersState.assign_label_options,
            lambda o: rx.el.label(
                rx.el.input(type="checkbox", name="label_" + o[0], id="bu-label-" + o[0]),
                rx.text(o[1], size="2", as_="span", margin_left="4px"),
                style={"display": "inline-flex", "align-items": "center", "margin-right": "12px"},
            ),
        ),
        wrap="wrap",
    )


def _sync_box(name: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, id=f"bu-{name}"),
        rx.text(label, size="1", as_="span", margin_left="4px"),
        style={"display": "inline-flex", "align-items": "center", "white-space": "nowrap"},
    )


def _section(title: str) -> rx.Component:
    return rx.text(title, size="2", weight="bold", color_scheme="gray", margin_top="0.5em")


def bulk_update_fields() -> rx.Component:
    s, f = OrdersState, BulkUpdateFormState
    return rx.vstack(
        _section("受注"),
        _row(
            "支払方法",
            _select("payment_method_id", s.payment_method_options, on_change=f.set_change("payment_method_id")),
        ),
        _row(
            "配送業者",
            _select("delivery_company_id", s.assign_company_options, on_change=f.set_change("delivery_company_id")),
        ),
        rx.cond(
            f.refusals.length() > 0,
            rx.callout(
                rx.vstack(
                    rx.text("実行すると、選択した受注のうち次の受注は変更されません:", weight="medium"),
                    rx.foreach(
                        f.refusals,
                        lambda r: rx.text(r[0], " ", r[2], "件 — ", r[1], custom_attrs={"data-testid": "bu-refusal"}),
                    ),
                    spacing="1",
                ),
                icon="triangle_alert",
                color_scheme="orange",
                size="1",
                id="bu-refusals",
            ),
        ),
        *[_date_field(key, label) for key, (label, _) in DATE_FIELDS.items()],
        _row("対応状況", _select("status_id", s.assign_status_options, on_change=f.set_status)),
        rx.cond(
            f.to_cancel > 0,
            rx.callout(
                rx.text(
                    "選択した受注のうち ",
                    f.to_cancel,
                    " 件は決済が取り消されていません。「キャンセル」「返品」にしても決済はそのままです。"
                    "「決済状況一括変更:取消処理」で決済を取り消してください。",
                ),
                icon="triangle_alert",
                color_scheme="orange",
                size="1",
                id="bu-cancel-caution",
            ),
        ),
        _row("受注メモ", rx.text_area(name="order_memo", id="bu-order_memo", rows="2", width="100%")),
        _row(
            "出荷リスト",
            _select(
                "shipping_list",
                [("unexported", "未出力"), ("exported", "出力済")],
                on_change=lambda v: f.set_choice("shipping_list", v),
            ),
        ),
        rx.cond(
            f.shipping_list == "exported",
            _row(
                "出荷リスト出力日",
                rx.input(
                    name="shipping_list_exported_at",
                    id="bu-shipping_list_exported_at",
                    placeholder="空欄なら登録時刻",
                    size="1",
                    width="100%",
                ),
            ),
        ),  # fmt: skip
        _row("要対応受注", _select("needs_attention", [("yes", "要対応にする"), ("no", "要対応を解除する")])),
        _row("要対応理由", _select("attention_reason", s.attention_reasons)),
        _row("受注ラベル(追加)", _label_boxes()),
        _section("顧客"),
        _row(
            "ブラックリスト(顧客)",
            _select("blacklist", [("yes", "はい"), ("no", "いいえ")], on_change=lambda v: f.set_choice("blacklist", v)),
        ),  # fmt: skip
        rx.cond(
            f.blacklist == "yes",
            _row("ブラックリスト理由(顧客)", _select("blacklist_reason", s.blacklist_reasons)),
        ),
        _row("顧客メモ", rx.text_area(name="customer_memo", id="bu-customer_memo", rows="2", width="100%")),
        _section("定期受注"),
        _row(
            "次回発送予定日(定期)",
            rx.hstack(
                rx.input(name="next_ship_date", id="bu-next_ship_date", placeholder="2026-01-31", size="1"),
                _sync_box("sync_delivery", "次回配送予定日へ同期する"),
                spacing="2",
                align="center",
            ),
        ),
        _row(
            "次回配送予定日(定期)",
            rx.hstack(
                rx.input(name="next_delivery_date", id="bu-next_delivery_date", placeholder="2026-01-31", size="1"),
                _sync_box("sync_ship", "次回発送予定日へ同期する"),
                spacing="2",
                align="center",
            ),
        ),
        _row(
            "ステータス(定期)",
            _select(
                "sub_status",
                [("active", "有効"), ("paused", "停止"), ("cancelled", "キャンセル")],
                on_change=lambda v: f.set_choice("sub_status", v),
            ),
        ),  # fmt: skip
        rx.cond(f.sub_status == "paused", _row("停止理由", _select("sub_status_reason", s.stop_reasons))),
        rx.cond(f.sub_status == "cancelled", _row("キャンセル理由", _select("sub_status_reason", s.cancel_reasons))),
        _row("要対応定期受注", _select("sub_needs_attention", [("yes", "要対応にする"), ("no", "要対応を解除する")])),
        _row("要対応理由(定期)", _select("sub_attention_reason", s.sub_attention_reasons)),
        _row("定期受注メモ", rx.text_area(name="subscription_memo", id="bu-subscription_memo", rows="2", width="100%")),
        rx.callout(
            "支払方法を変更した場合は「決済状況一括変更:再オーソリ処理」を行ってください。売上完了の受注の支払方法・配送業者は変更できません。",
            icon="info",
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
    )


def bulk_update_dialog() -> rx.Component:
    return job_dialog(
        "bulk_update",
        "選択した受注の項目を上書き・登録・削除します。「変更しない」の項目はそのままです。",
        bulk_update_fields(),
        "この内容で更新する",
        max_width="760px",
        on_submit=BulkUpdateFormState.submit_bulk_update,
    )
