"""顧客管理 > 顧客管理: the searchable list, and one customer's tabs 基本情報, 受注履歴, 定期受注,
ポイント, ブラックリスト and メモ管理."""

from __future__ import annotations

import reflex as rx

from ecweb.components.detail_bits import field, memo_form, messages, pager, pairs, table, tabs
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb_core.customers import CustomerRow
from ecweb_state.customers import NO_REASON, CustomerDetailState, CustomersState


def _row(r: CustomerRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r.id.to(str), href="/customers/" + r.id.to(str))),
        rx.table.cell(rx.link(r.name, href="/customers/" + r.id.to(str))),
        rx.table.cell(r.kana),
        rx.table.cell(r.email),
        rx.table.cell(r.phone),
        rx.table.cell(r.orders.to(str) + "件"),
        rx.table.cell(r.points),
        rx.table.cell(rx.cond(r.blacklisted, rx.badge("ブラックリスト", color_scheme="red"), "")),
        custom_attrs={"data-testid": "customer-row"},
    )


def customers_page() -> rx.Component:
    s = CustomersState
    headers = ["顧客ID", "氏名", "カナ", "メールアドレス", "電話番号", "受注数", "保有ポイント", ""]
    return page_frame(
        "顧客管理",
        rx.vstack(
            rx.card(
                rx.form(
                    rx.hstack(
                        field(
                            "氏名・カナ・メールアドレス・電話番号",
                            rx.input(name="q", id="cust-q", size="2", width="24em", placeholder="山田 / ヤマダ / 090"),
                        ),
                        rx.button(rx.icon("search", size=14), "検索する", type="submit", id="cust-search"),
                        align="end",
                        spacing="3",
                    ),
                    on_submit=s.search,
                    reset_on_submit=False,
                ),
                form_errors(s.errors, "cust-search-errors"),
                width="100%",
            ),
            rx.card(
                pager(s.page, s.page_count, s.total, s.go_to_page, "customers"),
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                    rx.table.body(rx.foreach(s.rows, _row)),
                    size="1",
                    width="100%",
                ),
                rx.cond(s.total == 0, rx.text("条件に合う顧客はいません。", size="2", color_scheme="gray")),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


def _points() -> rx.Component:
    d = CustomerDetailState
    return rx.fragment(
        rx.card(
            rx.hstack(
                rx.text("保有ポイント", weight="bold", size="3"),
                rx.text(d.points_balance, size="5", weight="bold", id="points-balance"),
                align="center",
                spacing="4",
            ),
            width="100%",
        ),
        table(
            "ポイント履歴",
            ["日時", "区分", "受注番号", "ポイント", "内容", "受注ID"],
            d.points,
            "ポイントの履歴はありません。",
            "points",
            links={2: ("/orders/", 5)},
            shown=[0, 1, 2, 3, 4],
        ),
    )


def _blacklist() -> rx.Component:
    d = CustomerDetailState
    return rx.card(
        rx.text("ブラックリスト", weight="bold", size="3", margin_bottom="0.5em"),
        rx.form(
            rx.vstack(
                rx.checkbox(
                    "ブラックリストに登録する",
                    checked=d.blacklisted,
                    on_change=d.set_blacklisted,
                    custom_attrs={"data-testid": "blacklisted"},  # controlled: not a submitted form field
                ),
                rx.cond(
                    d.blacklisted,
                    field(
                        "ブラックリスト理由",
                        rx.select.root(
                            rx.select.trigger(id="blacklist-reason", width="16em", placeholder="指定しない"),
                            rx.select.content(
                                rx.select.item("指定しない", value=NO_REASON),
                                rx.foreach(d.blacklist_reasons, lambda c: rx.select.item(c[1], value=c[0])),
                            ),
                            value=d.blacklist_reason,
                            on_change=d.set_blacklist_reason,
                        ),
                    ),
                ),
                rx.button("保存する", type="submit", id="blacklist-save"),
                spacing="3",
            ),
            on_submit=d.save_blacklist,
            reset_on_submit=False,
        ),
        messages(d.errors, d.notice, "blacklist"),
        width="100%",
    )


def customer_detail_page() -> rx.Component:
    d = CustomerDetailState
    return page_frame(
        "顧客詳細",
        rx.cond(
            d.found,
            rx.vstack(
                rx.hstack(
                    rx.link("← 顧客一覧へ戻る", href="/customers", size="2"),
                    rx.text(d.name, weight="bold", size="4", id="customer-name"),
                    rx.cond(d.blacklisted, rx.badge("ブラックリスト", color_scheme="red")),
                    align="center",
                    spacing="3",
                ),
                tabs(
                    d.tab,
                    d.set_tab,
                    ("basic", "基本情報", pairs("基本情報", d.fields)),
                    (
                        "orders",
                        "受注履歴",
                        table(
                            "受注履歴",
                            ["受注ID", "受注番号", "受注日", "対応状況", "決済状況", "合計", "種別"],
                            d.orders,
                            "受注はありません。",
                            "customer-orders",
                            links={1: ("/orders/", 0)},
                            shown=[1, 2, 3, 4, 5, 6],
                        ),
                    ),
                    (
                        "subscriptions",
                        "定期受注",
                        table(
                            "定期受注",
                            ["定期受注ID", "ステータス", "定期回数", "次回配送予定日", "お届けサイクル"],
                            d.subscriptions,
                            "定期受注はありません。",
                            "customer-subscriptions",
                            links={0: ("/subscriptions/", 0)},
                        ),
                    ),
                    ("points", "ポイント", _points()),
                    ("blacklist", "ブラックリスト", _blacklist()),
                    ("memos", "メモ管理", memo_form(d.add_memo, d.memo_errors, d.memo_notice, d.memos)),
                ),
                spacing="3",
                width="100%",
            ),
            rx.callout("指定された顧客は見つかりません。", icon="info", color_scheme="amber"),
        ),
    )
