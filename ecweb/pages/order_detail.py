"""受注管理 > 受注管理 > 該当受注: the tabs 基本設定 (配送情報 and the edits), 受注商品管理 (再計算),
メモ管理, 決済 and 履歴. The customer and the subscription link to their own pages."""

from __future__ import annotations

import reflex as rx

from ecweb.components.detail_bits import memo_form, messages, pairs, table, tabs
from ecweb.components.layout import page_frame
from ecweb.components.order_edit_form import order_edit_form, order_labels_form
from ecweb_state.order_detail import OrderDetailState as D
from ecweb_state.order_edit import OrderEditState as E


def _customer_link() -> rx.Component:
    return rx.link("顧客管理で開く", href="/customers/" + D.customer_pk.to(str), size="2", id="customer-link")


def _subscription() -> rx.Component:
    return rx.cond(
        D.subscription_pk > 0,
        pairs(
            "定期受注",
            D.subscription,
            rx.link(
                "定期受注管理で開く",
                href="/subscriptions/" + D.subscription_pk.to(str),
                size="2",
                id="subscription-link",
            ),  # fmt: skip
        ),
        rx.card(rx.text("通常受注です。", size="2", color_scheme="gray"), width="100%"),
    )


def _basic() -> rx.Component:
    return rx.fragment(
        rx.grid(
            pairs("基本情報", D.fields),
            pairs("顧客情報", D.customer, _customer_link()),
            columns="2",
            spacing="3",
            width="100%",
        ),  # fmt: skip
        order_edit_form(),
        order_labels_form(),
        rx.grid(
            _subscription(),
            table("アンケート", ["質問", "回答"], D.survey, "アンケート回答はありません。", "survey"),
            columns="2",
            spacing="3",
            width="100%",
        ),
    )


def _items() -> rx.Component:
    return rx.fragment(
        table("受注商品", ["商品名", "単価", "数量", "税率", "小計"], D.items, "商品はありません。", "items"),
        rx.grid(
            pairs("金額", D.totals),
            rx.card(
                rx.text("再計算", weight="bold", size="3", margin_bottom="0.5em"),
                rx.text(
                    "商品小計・送料・支払い手数料・合計を、受注商品と現在の支払方法・配送業者から計算し直します。"
                    "一括更新で配送業者を変更した受注は再計算してください。",
                    size="2",
                    color_scheme="gray",
                ),
                rx.button("再計算する", on_click=E.recalculate, id="recalculate", size="2", margin_top="0.75em"),
                messages(E.items_errors, E.items_notice, "items"),
                width="100%",
            ),
            columns="2",
            spacing="3",
            width="100%",
        ),
    )


def _payment() -> rx.Component:
    return rx.fragment(
        table(
            "決済履歴",
            ["日時", "処理", "処理元", "結果", "取引ID", "試行", "メッセージ"],
            D.payments,
            "決済サービスへの依頼はありません。",
            "payment-history",
            rx.link("決済管理画面で見る", href=D.provider_url, is_external=True, size="2", id="provider-link"),
        ),
        table("督促履歴", ["登録日時", "支払期限", "メモ"], D.dunning, "督促履歴はありません。", "dunning"),
    )


def _history() -> rx.Component:
    return rx.fragment(
        table(
            "履歴",
            ["日時", "内容", "値", "処理元", "担当者", "job"],
            D.events,
            "履歴はありません。",
            "events",
            links={3: ("/jobs?job=", 5)},
            shown=[0, 1, 2, 3, 4],
        ),
        table(
            "帳票発行履歴",
            ["発行日時", "帳票の種類", "帳票名", "発行日", "発行回数", "ジョブ"],
            D.documents,
            "帳票の発行履歴はありません。",
            "documents",
        ),
    )


def order_detail_page() -> rx.Component:
    return page_frame(
        "受注詳細",
        rx.cond(
            D.found,
            rx.vstack(
                rx.hstack(
                    rx.link("← 受注一覧へ戻る", href="/orders", size="2"),
                    rx.text(D.number, weight="bold", size="4", id="detail-number"),
                    rx.foreach(D.labels, lambda lb: rx.badge(lb[0], color_scheme=lb[1], variant="soft")),
                    align="center",
                    spacing="3",
                ),
                tabs(
                    D.tab,
                    D.set_tab,
                    ("basic", "基本設定", _basic()),
                    ("items", "受注商品管理", _items()),
                    ("memos", "メモ管理", memo_form(E.add_memo, E.memo_errors, E.memo_notice, D.memos)),
                    ("payment", "決済", _payment()),
                    ("history", "履歴", _history()),
                ),
                spacing="3",
                width="100%",
            ),
            rx.callout("指定された受注は見つかりません。", icon="info", color_scheme="amber"),
        ),
    )
