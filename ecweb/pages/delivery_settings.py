"""設定 > 配送/送料 > 配送/送料設定: 配送業者と送料, 発送・お届け日に関する設定 (最短お届け日の指定),
商品別送料. 一括更新's 配送業者 change recomputes 送料 from these."""

from __future__ import annotations

import reflex as rx

from ecweb.components.delete_confirm import delete_confirm
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb.components.product_fees import product_fees
from ecweb.components.settings_bits import field_row, move_buttons, saved
from ecweb_core.masters.delivery import CompanyRow
from ecweb_state.delivery_settings import DeliverySettingsState as S
from ecweb_state.product_fees import ProductFeesState as P

HEADERS = [("並び順", "210px"), ("配送業者", ""), ("基本送料", ""), ("都道府県別送料", ""), ("送料無料", ""),
           ("状態", "70px"), ("使用状況", ""), ("", "210px")]  # fmt: skip
DIALOG_LABEL = "150px"


def _company_row(c: CompanyRow, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(move_buttons(S, c.id, index, S.companies.length())),
        rx.table.cell(c.name, custom_attrs={"data-testid": "company-name"}),
        rx.table.cell(c.fee, custom_attrs={"data-testid": "company-fee"}),
        rx.table.cell(
            rx.cond(
                c.prefecture_fees.length() > 0,
                rx.vstack(rx.foreach(c.prefecture_fees, lambda p: rx.text(p, size="1")), spacing="0"),
                rx.text("—", size="1", color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.text(rx.cond(c.free_from != "", c.free_from, "—"), size="1")),
        rx.table.cell(rx.badge(rx.cond(c.enabled, "有効", "無効"), color_scheme=rx.cond(c.enabled, "green", "gray"))),
        rx.table.cell(rx.text(rx.cond(c.usage != "", c.usage, "—"), size="1", color_scheme="gray")),
        rx.table.cell(
            rx.hstack(
                rx.button("編集", size="1", variant="soft", on_click=S.edit_company(c.id)),
                rx.button(
                    rx.cond(c.enabled, "無効化", "有効化"),
                    size="1",
                    variant="outline",
                    on_click=S.toggle(c.id, c.enabled),
                ),
                rx.button("削除", size="1", variant="soft", color_scheme="red", on_click=S.ask_delete(c.id, c.name)),
                spacing="2",
            )
        ),
        custom_attrs={"data-testid": "company-row"},
        align="center",
    )


def _prefecture_row(row: rx.Var, index: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(row[0], size="2", width="6em"),
        rx.input(
            value=row[1],
            on_change=lambda v: S.set_prefecture_fee(index, v),
            width="9em",
            size="1",
            custom_attrs={"data-testid": "prefecture-fee"},
        ),
        rx.text("円", size="2"),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=S.remove_prefecture_fee(index),
            aria_label="削除",
        ),
        align="center",
        spacing="2",
    )


def _yen_input(value: rx.Var, on_change: rx.EventHandler, element_id: str, placeholder: str = "") -> rx.Component:
    return rx.hstack(
        rx.input(value=value, on_change=on_change, width="10em", id=element_id, placeholder=placeholder),
        rx.text("円", size="2"),
        align="center",
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.edit_id == 0, "配送業者の新規作成", "配送業者の編集")),
            rx.vstack(
                field_row(
                    "配送業者名",
                    rx.input(value=S.name, on_change=S.set_name, width="100%", id="company-name"),
                    label_width=DIALOG_LABEL,
                ),
                field_row(
                    "基本送料",
                    _yen_input(S.fee, S.set_fee, "company-fee"),
                    "商品別送料が設定された商品を含む受注はその送料になります。",
                    label_width=DIALOG_LABEL,
                ),
                field_row(
                    "送料無料になる金額",
                    rx.hstack(
                        _yen_input(S.free_from, S.set_free_from, "company-free-from", "空欄: なし"),
                        rx.text("以上(商品小計)", size="2"),
                        align="center",
                    ),
                    label_width=DIALOG_LABEL,
                ),
                rx.text("都道府県別送料(顧客の都道府県)", size="2", weight="medium"),
                rx.box(
                    rx.vstack(rx.foreach(S.prefecture_fees, _prefecture_row), spacing="1"),
                    rx.cond(
                        S.prefecture_fees.length() == 0,
                        rx.text("すべての都道府県に基本送料が使われます。", size="1", color_scheme="gray"),
                    ),
                    max_height="30vh",
                    overflow_y="auto",
                    width="100%",
                    padding="0.5em",
                    border="1px solid var(--gray-5)",
                    border_radius="6px",
                ),
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(placeholder="都道府県を選択", width="12em", id="add-prefecture"),
                        rx.select.content(rx.foreach(S.prefecture_choices, lambda p: rx.select.item(p, value=p))),
                        value=S.add_prefecture,
                        on_change=S.set_add_prefecture,
                        size="1",
                    ),
                    rx.button(
                        "都道府県を追加",
                        size="1",
                        variant="soft",
                        on_click=S.add_prefecture_fee,
                        id="add-prefecture-fee",
                    ),
                    spacing="2",
                ),
                form_errors(S.form_errors, "company-errors"),
                rx.hstack(
                    rx.dialog.close(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                    rx.button("この内容で保存する", on_click=S.save_company, id="save-company"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="0.5em",
            ),
            max_width="640px",
            max_height="92vh",
            overflow_y="auto",
        ),
        open=S.editing,
        on_open_change=S.close_editor,
    )


def _companies_tab() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                "一括更新で配送業者を変更すると、ここでの送料(商品別送料の設定がある商品はその送料)に再計算されます。",
                size="2",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.button("新規作成", on_click=S.new_company, id="new-company"),
            width="100%",
            align="center",
            margin_bottom="0.75em",
        ),
        saved(S.message, "company-message"),
        form_errors(S.errors, "company-list-errors"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, width=w or None) for h, w in HEADERS])),
            rx.table.body(rx.foreach(S.companies, _company_row)),
            size="1",
            variant="surface",
            width="100%",
            margin_top="0.5em",
        ),
        _editor(),
        delete_confirm("配送業者の削除", S),
    )


def _dates_tab() -> rx.Component:
    return rx.card(
        rx.text("発送・お届け日に関する設定", weight="bold", size="3", margin_bottom="0.75em"),
        rx.vstack(
            field_row(
                "最短お届け日の指定",
                rx.hstack(
                    rx.text("発送日の", size="2"),
                    rx.input(
                        value=S.min_delivery_days,
                        on_change=S.set_min_delivery_days,
                        width="5em",
                        id="min-delivery-days",
                    ),
                    rx.text("日後", size="2"),
                    align="center",
                ),
                "一括更新の「次回配送予定日へ同期する」「次回発送予定日へ同期する」はこの日数で同期します(0〜30日)。",
            ),
            form_errors(S.dates_errors, "dates-errors"),
            saved(S.dates_message, "dates-message"),
            rx.button("この内容で保存する", on_click=S.save_dates, id="save-dates"),
            spacing="3",
        ),
        max_width="860px",
    )


def delivery_settings_page() -> rx.Component:
    return page_frame(
        "配送/送料設定",
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("配送業者・送料", value="companies", on_click=S.set_tab("companies")),
                rx.tabs.trigger(
                    "発送・お届け日に関する設定", value="dates", on_click=S.set_tab("dates"), id="tab-dates"
                ),
                rx.tabs.trigger(
                    "商品別送料",
                    value="products",
                    on_click=[S.set_tab("products"), P.open_kind("shipping")],
                    id="tab-products",
                ),
            ),
            rx.tabs.content(_companies_tab(), value="companies", padding_top="1em"),
            rx.tabs.content(_dates_tab(), value="dates", padding_top="1em"),
            rx.tabs.content(
                product_fees(
                    "商品ごとの送料です。設定した商品を含む受注は、配送業者の送料ではなくこの送料になります(複数ある場合は高い方)。"
                ),
                value="products",
                padding_top="1em",
            ),
            value=S.tab,
        ),
    )
