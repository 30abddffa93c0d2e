"""The order table with the three selection modes, the bulk toolbar and the pager."""

from __future__ import annotations

import reflex as rx

from ecweb.components.bulk_actions import BULK_ACTIONS, BulkAction, Planned
from ecweb_core.jobs.catalog import kind_label
from ecweb_core.permissions import job_permission
from ecweb_state.auth import AuthState
from ecweb_state.job_forms import JobFormState
from ecweb_state.orders import GridRow, OrdersState

COLUMNS: list[tuple[str, str, str]] = [  # label, sort key ("" = not sortable), width
    ("受注番号", "number", "120px"),
    ("受注日", "ordered_at", "130px"),
    ("顧客名", "", "130px"),
    ("合計金額", "total", "100px"),
    ("支払方法", "", "120px"),
    ("決済状況", "", "100px"),
    ("対応状況", "status", "110px"),
    ("配送業者", "", "90px"),
    ("発送予定日", "scheduled_ship_date", "100px"),
    ("出荷リスト", "", "90px"),
    ("受注ラベル", "", "auto"),
]


def _header_cell(label: str, key: str, width: str) -> rx.Component:
    if not key:
        return rx.table.column_header_cell(label, width=width)
    arrow = rx.cond(OrdersState.sort == key, rx.cond(OrdersState.descending, " ▼", " ▲"), "")
    return rx.table.column_header_cell(
        rx.text(
            label, arrow, cursor="pointer", on_click=OrdersState.sort_by(key), white_space="nowrap", id=f"sort-{key}"
        ),
        width=width,
    )


PLANNED_WHY = "今後のリリースで利用できます"
ALL_RESULTS_WHY = "検索結果すべてを処理対象にしているため、個別には選択できません。「選択を解除」で解除できます。"


def _row(row: GridRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.box(
                rx.checkbox(
                    checked=row.checked,
                    disabled=OrdersState.all_results,
                    on_change=lambda v: OrdersState.toggle_row(row.id, v),
                    custom_attrs={"data-testid": "row-check", "aria-label": "この受注を選択"},
                ),
                title=rx.cond(OrdersState.all_results, ALL_RESULTS_WHY, ""),
                display="inline-block",
            )
        ),
        rx.table.cell(rx.link(row.number, href="/orders/" + row.id.to_string(), size="2")),
        rx.table.cell(row.ordered_at),
        rx.table.cell(row.customer_name),
        rx.table.cell(row.total, text_align="right"),
        rx.table.cell(row.payment_method),
        rx.table.cell(row.payment_status),
        rx.table.cell(
            rx.hstack(
                rx.text(row.status),
                rx.cond(row.needs_attention, rx.badge("要対応", color_scheme="red", size="1")),
                spacing="1",
            )
        ),
        rx.table.cell(row.delivery_company),
        rx.table.cell(row.scheduled_ship_date),
        rx.table.cell(row.shipping_list),
        rx.table.cell(
            rx.hstack(
                rx.cond(row.subscription, rx.badge("定期", color_scheme="blue", size="1")),
                rx.foreach(row.labels, lambda lb: rx.badge(lb[0], color_scheme=lb[1], variant="soft", size="1")),
                spacing="1",
                wrap="wrap",
            )
        ),
        custom_attrs={"data-testid": "order-row"},
        height="40px",
    )


def _bulk_button(action: BulkAction | Planned) -> rx.Component:
    if isinstance(action, Planned):
        # A disabled button gets no pointer events: the wrapper carries the hover text.
        return rx.tooltip(
            rx.box(
                rx.button(action.label, size="1", variant="outline", disabled=True),
                title=PLANNED_WHY,
                display="inline-block",
                custom_attrs={"data-testid": "planned-action"},
            ),
            content=PLANNED_WHY,
        )
    button = rx.button(
        kind_label(action.kind),
        size="1",
        variant="outline",
        on_click=[JobFormState.open(action.kind), *action.on_open],
        id=f"open-{action.kind}",
    )
    # Only the kinds the operator's role may register (ecweb_core checks again on submit).
    button = rx.cond(AuthState.granted.contains(job_permission(action.kind)), button)
    return rx.cond(action.shown(), button) if action.shown else button


def bulk_toolbar() -> rx.Component:
    return rx.hstack(
        rx.text(OrdersState.target_label, weight="bold", size="2", id="target-count"),
        rx.cond(
            OrdersState.target_count > 0,
            rx.button("選択を解除", size="1", variant="ghost", on_click=OrdersState.clear_selection),
        ),
        rx.spacer(),
        *[_bulk_button(action) for action in BULK_ACTIONS],
        spacing="2",
        align="center",
        wrap="wrap",
        width="100%",
        padding="0.6em 0.8em",
        background="white",
        border="1px solid var(--gray-5)",
        border_radius="6px",
    )


def pager(suffix: str = "") -> rx.Component:
    def btn(label: str, page: rx.Var | int, disabled: rx.Var | bool) -> rx.Component:
        return rx.button(label, size="1", variant="soft", disabled=disabled, on_click=OrdersState.go_to_page(page))

    return rx.hstack(
        rx.text(OrdersState.range_label, size="2", id=f"range-label{suffix}"),
        rx.text("(", OrdersState.elapsed_ms, " ms)", size="1", color_scheme="gray"),
        rx.spacer(),
        btn("最初", 1, OrdersState.page <= 1),
        btn("前へ", OrdersState.page - 1, OrdersState.page <= 1),
        rx.text(OrdersState.page, " / ", OrdersState.page_count, " ページ", size="2", id=f"page-label{suffix}"),
        btn("次へ", OrdersState.page + 1, OrdersState.page >= OrdersState.page_count),
        btn("最後", OrdersState.page_count, OrdersState.page >= OrdersState.page_count),
        align="center",
        spacing="2",
        width="100%",
    )


def order_grid() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("検索結果", weight="bold", size="3"),
            rx.text(OrdersState.total_label, size="3", id="total-count"),
            rx.spacer(),
            rx.checkbox(
                "検索結果すべてを処理対象にする",
                checked=OrdersState.all_results,
                on_change=OrdersState.toggle_all_results,
                id="select-all-results",
            ),
            width="100%",
            align="center",
        ),
        bulk_toolbar(),
        pager(),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(
                            rx.box(
                                rx.checkbox(
                                    checked=OrdersState.page_checked,
                                    disabled=OrdersState.all_results,
                                    on_change=OrdersState.toggle_page,
                                    custom_attrs={"data-testid": "page-check", "aria-label": "このページをすべて選択"},
                                ),
                                title=rx.cond(OrdersState.all_results, ALL_RESULTS_WHY, ""),
                                display="inline-block",
                            ),
                            width="40px",
                        ),
                        *[_header_cell(label, key, width) for label, key, width in COLUMNS],
                    )
                ),
                rx.table.body(rx.foreach(OrdersState.rows, _row)),
                size="1",
                variant="surface",
                width="100%",
                style={"table-layout": "fixed"},
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.cond(
            OrdersState.total == 0,
            rx.center(rx.text("条件に一致する受注はありません。", color_scheme="gray"), padding="2em", width="100%"),
        ),
        pager("-bottom"),
        spacing="3",
        width="100%",
    )
