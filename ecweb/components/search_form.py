"""The 受注検索 form (SPEC O4). Values travel as one form submit; the state validates them."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_core.statuses import SUBSCRIPTION_STATUSES
from ecweb_state.orders import ANY, OrdersState

SUBSCRIPTION_STATUS_OPTIONS = [[k, v] for k, v in SUBSCRIPTION_STATUSES.items()]


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", weight="medium", color_scheme="gray"), control, spacing="1", width="100%")


def _text(name: str, placeholder: str = "") -> rx.Component:
    return rx.input(name=name, id=f"f-{name}", placeholder=placeholder, size="1", width="100%")


def _range(prefix: str, placeholder: str = "2026-01-31") -> rx.Component:
    return rx.hstack(
        _text(f"{prefix}_from", placeholder),
        rx.text("〜", size="1"),
        _text(f"{prefix}_to", placeholder),
        align="center",
        spacing="1",
        width="100%",
    )


def _select(name: str, options: rx.Var | list[list[str]]) -> rx.Component:
    items = (
        [rx.select.item(label, value=value) for value, label in options]
        if isinstance(options, list)
        else [rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))]
    )
    return rx.select.root(
        rx.select.trigger(width="100%", id=f"f-{name}"),
        rx.select.content(rx.select.item("すべて", value=ANY), *items),
        name=name,
        default_value=ANY,
        size="1",
    )


def search_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                _field("受注番号", _text("number", "EC00000123")),
                _field("顧客名・カナ", _text("customer_name", "山田 / ヤマダ")),
                _field("メールアドレス", _text("email")),
                _field("電話番号", _text("phone", "090-1234-5678")),
                _field("受注日", _range("ordered")),
                _field("発送予定日", _range("scheduled_ship")),
                _field("発送完了日", _range("shipped")),
                _field("配送完了日", _range("delivered")),
                _field("対応状況", _select("status_ids", OrdersState.status_options)),
                _field("決済状況", _select("payment_statuses", OrdersState.payment_status_options)),
                _field("支払方法", _select("payment_method_ids", OrdersState.payment_method_options)),
                _field("配送業者", _select("delivery_company_ids", OrdersState.delivery_company_options)),
                _field("出荷リスト", _select("shipping_list", [["unexported", "未出力"], ["exported", "出力済"]])),
                _field("要対応", _select("needs_attention", [["yes", "要対応"], ["no", "対応不要"]])),
                _field("受注ラベル", _select("label_ids", OrdersState.label_options)),
                _field("受注種別", _select("order_type", [["subscription", "定期受注"], ["single", "通常受注"]])),
                _field("ステータス(定期)", _select("subscription_status", SUBSCRIPTION_STATUS_OPTIONS)),
                _field(
                    "合計金額",
                    rx.hstack(
                        _text("total_min", "下限"),
                        rx.text("〜", size="1"),
                        _text("total_max", "上限"),
                        align="center",
                        spacing="1",
                        width="100%",
                    ),
                ),
                _field(
                    "パーソナライズ",
                    rx.checkbox("アンケート回答あり", name="personalized", id="f-personalized", size="1"),
                ),
                columns="4",
                spacing="3",
                width="100%",
            ),
            form_errors(OrdersState.errors, "search-errors"),
            rx.hstack(
                rx.button(
                    rx.icon("search", size=14), "この条件で検索する", type="submit", size="2", id="search-submit"
                ),
                rx.button(
                    "条件をクリア",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    on_click=OrdersState.clear_search,
                ),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=OrdersState.search,
        reset_on_submit=False,
        key=OrdersState.form_key.to_string(),
        width="100%",
    )
