"""設定 > 支払方法: each method's 支払い手数料 (optionally by amount) and 商品別支払い手数料.
一括更新's 支払方法 change recomputes 支払い手数料 from these."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb.components.product_fees import product_fees
from ecweb.components.settings_bits import field_row, saved
from ecweb_core.masters.payment import MethodRow
from ecweb_state.payment_settings import PaymentSettingsState as S
from ecweb_state.product_fees import ProductFeesState as P

HEADERS = ["支払方法", "支払い手数料", "金額別手数料(商品小計)", ""]


def _method_row(m: MethodRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.name, custom_attrs={"data-testid": "method-name"}),
        rx.table.cell(m.fee, custom_attrs={"data-testid": "method-fee"}),
        rx.table.cell(
            rx.cond(
                m.tiers.length() > 0,
                rx.vstack(rx.foreach(m.tiers, lambda t: rx.text(t, size="1")), spacing="0"),
                rx.text("—", size="1", color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.button("手数料を変更", size="1", variant="soft", on_click=S.edit_method(m.id))),
        custom_attrs={"data-testid": "method-row"},
        align="center",
    )


def _tier_row(row: rx.Var, index: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.input(
            value=row[0],
            on_change=lambda v: S.set_tier(index, 0, v),
            width="9em",
            size="1",
            placeholder="10000",
            custom_attrs={"data-testid": "tier-from"},
        ),
        rx.text("円以上", size="2"),
        rx.input(
            value=row[1],
            on_change=lambda v: S.set_tier(index, 1, v),
            width="7em",
            size="1",
            custom_attrs={"data-testid": "tier-fee"},
        ),
        rx.text("円", size="2"),
        rx.icon_button(
            rx.icon("x", size=14), size="1", variant="ghost", color_scheme="red", on_click=S.remove_tier(index)
        ),
        align="center",
        spacing="2",
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.edit_name, " の支払い手数料"),
            rx.vstack(
                field_row(
                    "支払い手数料",
                    rx.hstack(
                        rx.input(value=S.fee, on_change=S.set_fee, width="9em", id="method-fee"),
                        rx.text("円", size="2"),
                        align="center",
                    ),
                    "金額別手数料のどれにも当てはまらない受注の手数料です。",
                    label_width="130px",
                ),
                rx.text("金額別手数料(商品小計がこの金額以上のとき)", size="2", weight="medium"),
                rx.vstack(rx.foreach(S.tiers, _tier_row), spacing="1"),
                rx.button("金額別手数料を追加", size="1", variant="soft", on_click=S.add_tier, id="add-tier"),
                form_errors(S.form_errors, "method-errors"),
                rx.hstack(
                    rx.dialog.close(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                    rx.button("この内容で保存する", on_click=S.save, id="save-method"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="0.5em",
            ),
            max_width="560px",
        ),
        open=S.edit_id != 0,
        on_open_change=S.close_editor,
    )


def payment_settings_page() -> rx.Component:
    return page_frame(
        "支払方法",
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("支払方法・手数料", value="methods", on_click=S.set_tab("methods")),
                rx.tabs.trigger(
                    "商品別支払い手数料",
                    value="products",
                    on_click=[S.set_tab("products"), P.open_kind("payment")],
                    id="tab-products",
                ),
            ),
            rx.tabs.content(
                rx.box(
                    rx.text(
                        "一括更新で支払方法を変更すると、ここでの支払い手数料"
                        "(商品別支払い手数料の設定がある商品はその手数料)に再計算されます。",
                        size="2",
                        color_scheme="gray",
                        margin_bottom="0.75em",
                    ),
                    saved(S.message, "method-message"),
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])),
                        rx.table.body(rx.foreach(S.methods, _method_row)),
                        size="1",
                        variant="surface",
                        width="100%",
                        margin_top="0.5em",
                    ),
                    _editor(),
                ),
                value="methods",
                padding_top="1em",
            ),
            rx.tabs.content(
                product_fees(
                    "商品ごとの支払い手数料です。設定した商品を含む受注は、支払方法の手数料ではなくこの手数料になります(複数ある場合は高い方)。"
                ),
                value="products",
                padding_top="1em",
            ),
            value=S.tab,
        ),
    )
