"""The 商品別送料 / 商品別支払い手数料 table (ProductFeesState): a product's own fee wins."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_core.masters.products import ProductFeeRow
from ecweb_state.product_fees import ProductFeesState as P


def _row(r: ProductFeeRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.code),
        rx.table.cell(r.name),
        rx.table.cell(r.price, text_align="right"),
        rx.table.cell(
            rx.cond(r.raw == "", rx.text(r.fee, color_scheme="gray", size="2"), rx.text(r.fee, weight="medium")),
            text_align="right",
            custom_attrs={"data-testid": "product-fee"},
        ),
        rx.table.cell(
            rx.button("変更", size="1", variant="soft", on_click=P.start_edit(r.id, r.name, r.raw)),
        ),
        custom_attrs={"data-testid": "product-row"},
        align="center",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(P.fee_label, "の変更"),
            rx.vstack(
                rx.text(P.edit_name, size="2", weight="medium"),
                rx.hstack(
                    rx.input(
                        value=P.edit_value,
                        on_change=P.set_edit_value,
                        placeholder="空欄: 設定なし",
                        width="12em",
                        id="product-fee-input",
                    ),
                    rx.text("円", size="2"),
                    align="center",
                ),
                rx.text(
                    "空欄にすると商品別の設定をやめ、支払方法・配送業者の設定が使われます。",
                    size="1",
                    color_scheme="gray",
                ),
                form_errors(P.errors, "product-fee-errors"),
                rx.hstack(
                    rx.dialog.close(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                    rx.button("この内容で保存する", on_click=P.save, id="product-fee-save"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="0.5em",
            ),
            max_width="440px",
        ),
        open=P.edit_id != 0,
        on_open_change=P.close_edit,
    )


def product_fees(intro: str) -> rx.Component:
    return rx.box(
        rx.text(intro, size="2", color_scheme="gray", margin_bottom="0.75em"),
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder="商品コード・商品名", width="18em", id="product-query"),
                rx.button("検索", type="submit", variant="soft"),
                rx.spacer(),
                rx.text(P.total, "件", size="2"),
                align="center",
                width="100%",
            ),
            on_submit=P.search,
            reset_on_submit=False,
        ),
        rx.cond(
            P.message != "",
            rx.callout.root(rx.callout.text(P.message), color_scheme="green", size="1", margin_top="0.75em"),
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("商品コード"),
                    rx.table.column_header_cell("商品名"),
                    rx.table.column_header_cell("価格", text_align="right"),
                    rx.table.column_header_cell(P.fee_label, text_align="right"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(P.rows, _row)),
            size="1",
            variant="surface",
            width="100%",
            margin_top="0.75em",
        ),
        rx.hstack(
            rx.button("前へ", size="1", variant="soft", disabled=P.page <= 1, on_click=P.go_to_page(P.page - 1)),
            rx.text(P.page, " / ", P.page_count, " ページ", size="2"),
            rx.button(
                "次へ", size="1", variant="soft", disabled=P.page >= P.page_count, on_click=P.go_to_page(P.page + 1)
            ),
            justify="end",
            align="center",
            margin_top="0.5em",
        ),
        _edit_dialog(),
    )
