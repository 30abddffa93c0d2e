from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb.components.order_edit_form import order_edit_form, order_labels_form
from ecweb_state.order_detail import OrderDetailState


def _pairs(title: str, rows: rx.Var) -> rx.Component:
    return rx.card(
        rx.text(title, weight="bold", size="3", margin_bottom="0.5em"),
        rx.data_list.root(
            rx.foreach(rows, lambda r: rx.data_list.item(rx.data_list.label(r[0]), rx.data_list.value(r[1]))),
            size="1",
        ),
        width="100%",
    )


def _table(
    title: str, headers: list[str], rows: rx.Var, empty: str, test_id: str, extra: rx.Component | None = None
) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(title, weight="bold", size="3"),
            rx.spacer(),
            *([extra] if extra else []),
            margin_bottom="0.5em",
            width="100%",
            align="center",
        ),
        rx.cond(
            rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(
                    rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[i]) for i in range(len(headers))]))
                ),
                size="1",
                width="100%",
                custom_attrs={"data-testid": test_id},
            ),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        width="100%",
    )


def order_detail_page() -> rx.Component:
    s = OrderDetailState
    return page_frame(
        "受注詳細",
        rx.cond(
            s.found,
            rx.vstack(
                rx.hstack(
                    rx.link("← 受注一覧へ戻る", href="/orders", size="2"),
                    rx.text(s.number, weight="bold", size="4", id="detail-number"),
                    rx.foreach(s.labels, lambda lb: rx.badge(lb[0], color_scheme=lb[1], variant="soft")),
                    align="center",
                    spacing="3",
                ),
                rx.grid(
                    _pairs("基本情報", s.fields), _pairs("顧客情報", s.customer), columns="2", spacing="3", width="100%"
                ),
                order_edit_form(),
                order_labels_form(),
                _table("受注商品", ["商品名", "単価", "数量", "税率", "小計"], s.items, "商品はありません。", "items"),
                rx.grid(
                    _pairs("金額", s.totals),
                    rx.cond(
                        s.subscription.length() > 0,
                        _pairs("定期受注", s.subscription),
                        rx.card(rx.text("通常受注です。", size="2", color_scheme="gray")),
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                _table(
                    "決済履歴",
                    ["日時", "処理", "処理元", "結果", "取引ID", "試行", "メッセージ"],
                    s.payments,
                    "決済サービスへの依頼はありません。",
                    "payment-history",
                    rx.link("決済管理画面で見る", href=s.provider_url, is_external=True, size="2", id="provider-link"),
                ),
                _table("メモ管理", ["日時", "メモ"], s.memos, "メモはありません。", "memos"),
                _table("督促履歴", ["登録日時", "支払期限", "メモ"], s.dunning, "督促履歴はありません。", "dunning"),
                _table(
                    "帳票発行履歴",
                    ["発行日時", "帳票の種類", "帳票名", "発行日", "発行回数", "ジョブ"],
                    s.documents,
                    "帳票の発行履歴はありません。",
                    "documents",
                ),  # fmt: skip
                _table("履歴", ["日時", "内容", "値", "処理元"], s.events, "履歴はありません。", "events"),
                _table("アンケート", ["質問", "回答"], s.survey, "アンケート回答はありません。", "survey"),
                spacing="3",
                width="100%",
            ),
            rx.callout("指定された受注は見つかりません。", icon="info", color_scheme="amber"),
        ),
    )
