"""受注管理 > 定期受注管理: the searchable list, and one subscription's tabs 基本設定, 受注履歴,
受注商品管理 (再計算) and メモ管理, with 手動作成 of its next order."""

from __future__ import annotations

import reflex as rx

from ecweb.components.detail_bits import field, memo_form, messages, pager, pairs, table, tabs
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb_core.statuses import SUBSCRIPTION_STATUSES
from ecweb_core.subscriptions.listing import SubscriptionRow
from ecweb_state.subscriptions import ALL, NO_REASON, SubscriptionDetailState, SubscriptionsState

STATUS_ITEMS = [[k, v] for k, v in SUBSCRIPTION_STATUSES.items()]
WEEKS = [["1", "第1"], ["2", "第2"], ["3", "第3"], ["4", "第4"], ["5", "最終"]]


def _search() -> rx.Component:
    s = SubscriptionsState
    return rx.card(
        rx.form(
            rx.hstack(
                field(
                    "ステータス",
                    rx.select.root(
                        rx.select.trigger(id="sub-f-status", width="9em"),
                        rx.select.content(
                            rx.select.item("すべて", value=ALL), *[rx.select.item(v, value=k) for k, v in STATUS_ITEMS]
                        ),
                        name="status",
                        default_value=ALL,
                        size="1",
                    ),
                ),
                field(
                    "顧客(氏名・カナ・メール)", rx.input(name="customer", id="sub-f-customer", size="1", width="14em")
                ),
                field("商品名", rx.input(name="product", id="sub-f-product", size="1", width="12em")),
                field(
                    "次回配送予定日",
                    rx.hstack(
                        rx.input(
                            name="next_from", id="sub-f-next_from", placeholder="2026-01-31", size="1", width="8.5em"
                        ),  # fmt: skip
                        rx.text("〜", size="1"),
                        rx.input(name="next_to", id="sub-f-next_to", placeholder="2026-01-31", size="1", width="8.5em"),
                        align="center",
                        spacing="1",
                    ),
                ),
                field("要対応", rx.checkbox("要対応のみ", name="needs_attention", id="sub-f-attention", size="1")),
                rx.button(rx.icon("search", size=14), "検索する", type="submit", size="2", id="sub-search"),
                align="end",
                spacing="4",
                wrap="wrap",
            ),
            on_submit=s.search,
            reset_on_submit=False,
        ),
        form_errors(s.errors, "sub-search-errors"),
        width="100%",
    )


def _row(r: SubscriptionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r.id.to(str), href="/subscriptions/" + r.id.to(str))),
        rx.table.cell(rx.link(r.customer, href="/customers/" + r.customer_id.to(str))),
        rx.table.cell(r.products),
        rx.table.cell(r.status),
        rx.table.cell(r.cycle),
        rx.table.cell(r.delivery_count.to(str) + "回"),
        rx.table.cell(r.next_ship_date),
        rx.table.cell(r.next_delivery_date),
        rx.table.cell(rx.cond(r.needs_attention, rx.badge("要対応", color_scheme="red"), "")),
        custom_attrs={"data-testid": "subscription-row"},
    )


def subscriptions_page() -> rx.Component:
    s = SubscriptionsState
    headers = ["定期受注ID", "顧客", "商品", "ステータス", "お届けサイクル", "定期回数", "次回発送予定日",
               "次回配送予定日", "要対応"]  # fmt: skip
    return page_frame(
        "定期受注管理",
        rx.vstack(
            _search(),
            rx.card(
                pager(s.page, s.page_count, s.total, s.go_to_page, "subs"),
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                    rx.table.body(rx.foreach(s.rows, _row)),
                    size="1",
                    width="100%",
                ),
                rx.cond(s.total == 0, rx.text("条件に合う定期受注はありません。", size="2", color_scheme="gray")),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


# ---- one subscription ---------------------------------------------------------------------------------


def _select(name: str, value: rx.Var, on_change: rx.EventHandler, items: rx.Var | list[list[str]],
            width: str = "10em") -> rx.Component:  # fmt: skip
    options = (
        [rx.select.item(label, value=v) for v, label in items]
        if isinstance(items, list)
        else [rx.foreach(items, lambda c: rx.select.item(c[1], value=c[0]))]
    )
    return rx.select.root(
        rx.select.trigger(id=f"sub-{name}", width=width),
        rx.select.content(*options),
        value=value,
        on_change=on_change,
        size="2",
    )


def _reason() -> rx.Component:
    d = SubscriptionDetailState
    none = [rx.select.item("指定しない", value=NO_REASON)]
    return rx.cond(
        d.status == "active",
        rx.text("—", size="2", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(id="sub-status_reason", width="14em", placeholder="指定しない"),
            rx.select.content(
                *none,
                rx.cond(
                    d.status == "paused",
                    rx.foreach(d.stop_reasons, lambda c: rx.select.item(c[1], value=c[0])),
                    rx.foreach(d.cancel_reasons, lambda c: rx.select.item(c[1], value=c[0])),
                ),
            ),
            value=d.status_reason,
            on_change=d.set_status_reason,
            size="2",
        ),
    )


def _cycle() -> rx.Component:
    d = SubscriptionDetailState
    return rx.hstack(
        rx.input(name="cycle_count", id="sub-cycle_count", default_value=d.cycle_count, width="4em"),
        _select("cycle_kind", d.cycle_kind, d.set_cycle_kind, d.cycle_kinds, "13em"),
        rx.match(
            d.cycle_kind,
            (
                "month_day",
                rx.hstack(
                    rx.input(name="cycle_day", id="sub-cycle_day", default_value=d.cycle_day, width="4em"),
                    rx.text("日(31は末日)", size="2"),
                    align="center",
                ),
            ),
            (
                "month_weekday",
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(id="sub-cycle_week", width="6em"),
                        rx.select.content(*[rx.select.item(label, value=v) for v, label in WEEKS]),
                        name="cycle_week",
                        default_value=d.cycle_week,
                    ),
                    rx.select.root(
                        rx.select.trigger(id="sub-cycle_weekday", width="7em"),
                        rx.select.content(rx.foreach(d.weekdays, lambda w: rx.select.item(w[1], value=w[0]))),
                        name="cycle_weekday",
                        default_value=d.cycle_weekday,
                    ),
                ),
            ),
            rx.fragment(),
        ),
        align="center",
        spacing="2",
    )


def _date(name: str, label: str, value: rx.Var, sync_name: str, sync_label: str) -> rx.Component:
    return field(
        label,
        rx.hstack(
            rx.input(name=name, id=f"sub-{name}", default_value=value, placeholder="2026-01-31", width="9em"),
            rx.checkbox(sync_label, name=sync_name, id=f"sub-{sync_name}", size="1"),
            align="center",
            spacing="3",
        ),
    )


def _basic_form() -> rx.Component:
    d = SubscriptionDetailState
    return rx.card(
        rx.text("基本設定の編集", weight="bold", size="3", margin_bottom="0.5em"),
        rx.form(
            rx.vstack(
                rx.hstack(
                    field("ステータス", _select("status", d.status, d.set_status, STATUS_ITEMS, "9em")),
                    field("停止理由 / キャンセル理由", _reason()),
                    field("お届けサイクル", _cycle()),
                    spacing="5",
                    align="end",
                    wrap="wrap",
                ),
                rx.hstack(
                    _date(
                        "next_ship_date",
                        "次回発送予定日",
                        d.next_ship_date,
                        "sync_delivery",
                        "次回配送予定日へ同期する",
                    ),
                    _date(
                        "next_delivery_date",
                        "次回配送予定日",
                        d.next_delivery_date,
                        "sync_ship",
                        "次回発送予定日へ同期する",
                    ),  # fmt: skip
                    spacing="5",
                    align="end",
                    wrap="wrap",
                ),
                rx.text(
                    "同期する場合は「設定 > 配送/送料設定」の「最短お届け日の指定」の日数で計算します。",
                    size="1",
                    color_scheme="gray",
                ),
                rx.button("保存する", type="submit", id="sub-save"),
                spacing="3",
            ),
            on_submit=d.save,
            reset_on_submit=False,
            key=d.form_key.to_string(),
        ),
        messages(d.errors, d.notice, "sub"),
        width="100%",
    )


def _create_button() -> rx.Component:
    d = SubscriptionDetailState
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("plus", size=14),
                "次回の受注を手動作成",
                id="sub-create",
                size="2",
                disabled=d.saved_status == "paused",
            ),  # fmt: skip
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("次回の受注を手動作成"),
            rx.alert_dialog.description(
                "次回配送予定日の受注を今すぐ作成し、決済(仮売上)を依頼します。定期回数と次回予定日は次のお届けへ進みます。",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("作成する", on_click=d.create_order, id="sub-create-confirm")),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
        ),
    )


def _items() -> rx.Component:
    d = SubscriptionDetailState
    return rx.fragment(
        table(
            f"次回({d.next_count}回目)の受注商品",
            ["商品名", "単価", "数量", "小計", "種別", "回数別価格"],
            d.items,
            "商品はありません。",
            "sub-items",
        ),
        rx.card(
            rx.text("再計算", weight="bold", size="3", margin_bottom="0.5em"),
            rx.text(
                "次回の定期回数での商品価格と同梱品で、次回の受注商品を計算し直します。"
                "定期回数や配送業者を変更した場合は再計算してください。",
                size="2",
                color_scheme="gray",
            ),
            rx.button("再計算する", on_click=d.recalculate, id="sub-recalculate", size="2", margin_top="0.75em"),
            width="100%",
        ),
    )


def subscription_detail_page() -> rx.Component:
    d = SubscriptionDetailState
    orders_headers = ["受注ID", "受注番号", "受注日", "お届け予定日(定期)", "対応状況", "決済状況", "合計"]
    return page_frame(
        "定期受注詳細",
        rx.cond(
            d.found,
            rx.vstack(
                rx.hstack(
                    rx.link("← 定期受注一覧へ戻る", href="/subscriptions", size="2"),
                    rx.text("定期受注ID ", d.sub_id, weight="bold", size="4", id="sub-title"),
                    rx.link(d.customer, href="/customers/" + d.customer_pk.to(str), size="2", id="sub-customer-link"),
                    rx.spacer(),
                    rx.cond(
                        d.saved_status == "paused",
                        rx.text("停止中の定期受注は手動作成できません。", size="1", color_scheme="gray"),
                    ),  # fmt: skip
                    _create_button(),
                    align="center",
                    spacing="3",
                    width="100%",
                ),
                rx.cond(d.tab != "basic", messages(d.errors, d.notice, "sub-top")),
                tabs(
                    d.tab,
                    d.set_tab,
                    ("basic", "基本設定", rx.fragment(pairs("基本情報", d.fields), _basic_form())),
                    (
                        "orders",
                        "受注履歴",
                        table(
                            "受注履歴",
                            orders_headers,
                            d.orders,
                            "この定期受注の受注はまだありません。",
                            "sub-orders",
                            links={1: ("/orders/", 0)},
                            shown=[1, 2, 3, 4, 5, 6],
                        ),  # fmt: skip
                    ),
                    ("items", "受注商品管理", _items()),
                    ("memos", "メモ管理", memo_form(d.add_memo, d.memo_errors, d.memo_notice, d.memos)),
                ),
                spacing="3",
                width="100%",
            ),
            rx.callout("指定された定期受注は見つかりません。", icon="info", color_scheme="amber"),
        ),
    )
