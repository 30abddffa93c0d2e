"""The pieces of the detail pages (受注詳細, 定期受注, 顧客): label/value cards, tables whose id
columns link to their pages, tabs, and the メモ管理 form."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_state.memos import MEMO_FIELD

# column index -> (href prefix, index of the column holding the id)
Links = dict[int, tuple[str, int]]


def pairs(title: str, rows: rx.Var, extra: rx.Component | None = None) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(title, weight="bold", size="3"),
            rx.spacer(),
            *([extra] if extra else []),
            margin_bottom="0.5em",
            width="100%",
            align="center",
        ),
        rx.data_list.root(
            rx.foreach(rows, lambda r: rx.data_list.item(rx.data_list.label(r[0]), rx.data_list.value(r[1]))),
            size="1",
        ),
        width="100%",
    )


def _cell(row: rx.Var, i: int, links: Links) -> rx.Component:
    if i in links:
        prefix, id_col = links[i]
        # A row without an id (a 履歴 entry not made by a job) shows its text unlinked.
        return rx.table.cell(
            rx.cond(row[id_col].to(str) != "", rx.link(row[i], href=prefix + row[id_col].to(str)), rx.text(row[i]))
        )
    return rx.table.cell(row[i])


def table(
    title: str,
    headers: list[str],
    rows: rx.Var,
    empty: str,
    test_id: str,
    extra: rx.Component | None = None,
    links: Links | None = None,
    shown: list[int] | None = None,
) -> rx.Component:
    """`shown`: the columns to show (the others may hold ids for the links); all when None."""
    links = links or {}
    columns = shown if shown is not None else list(range(len(headers)))
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
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(headers[i]) for i in columns])),
                rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[_cell(r, i, links) for i in columns]))),
                size="1",
                width="100%",
                custom_attrs={"data-testid": test_id},
            ),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        width="100%",
    )


def tabs(value: rx.Var, on_change: Callable[..., object], *panes: tuple[str, str, rx.Component]) -> rx.Component:
    """panes: (value, label, content). Trigger ids are tab-<value>."""
    return rx.tabs.root(
        rx.tabs.list(*[rx.tabs.trigger(label, value=v, id=f"tab-{v}") for v, label, _ in panes]),
        *[rx.tabs.content(rx.vstack(c, spacing="3", width="100%", padding_top="0.75em"), value=v) for v, _, c in panes],
        value=value,
        on_change=on_change,
        width="100%",
    )


def messages(errors: rx.Var, notice: rx.Var, prefix: str) -> rx.Component:
    return rx.fragment(
        form_errors(errors, f"{prefix}-errors"),
        rx.cond(notice != "", rx.text(notice, size="2", color_scheme="green", id=f"{prefix}-notice")),
    )


def memo_form(on_submit: Callable[..., object], errors: rx.Var, notice: rx.Var, memos: rx.Var) -> rx.Component:
    """メモ管理: a new memo on top, the memos below, newest first (一括更新's memos among them)."""
    return rx.vstack(
        rx.card(
            rx.text("メモを登録", weight="bold", size="3", margin_bottom="0.5em"),
            rx.form(
                rx.vstack(
                    rx.text_area(
                        name="memo", id=MEMO_FIELD, placeholder="メモ内容(1000文字以内)", rows="3", width="100%"
                    ),  # fmt: skip
                    rx.button("登録する", type="submit", id="memo-submit", size="2"),
                    spacing="2",
                    width="100%",
                    align="end",
                ),
                on_submit=on_submit,
                reset_on_submit=False,  # bad input keeps the text; a saved memo clears it (clear_memo_field)
                width="100%",
            ),
            messages(errors, notice, "memo"),
            width="100%",
        ),
        table("メモ管理", ["登録日時", "メモ"], memos, "メモはありません。", "memos"),
        spacing="3",
        width="100%",
    )


def pager(page: rx.Var, page_count: rx.Var, total: rx.Var, go_to: Callable[..., object], prefix: str) -> rx.Component:
    def btn(label: str, target: rx.Var | int, disabled: rx.Var | bool) -> rx.Component:
        return rx.button(label, size="1", variant="soft", disabled=disabled, on_click=go_to(target))

    return rx.hstack(
        rx.text(total, " 件", size="2", id=f"{prefix}-total"),
        rx.spacer(),
        btn("最初", 1, page <= 1),
        btn("前へ", page - 1, page <= 1),
        rx.text(page, " / ", page_count, " ページ", size="2", id=f"{prefix}-page"),
        btn("次へ", page + 1, page >= page_count),
        btn("最後", page_count, page >= page_count),
        align="center",
        spacing="2",
        width="100%",
    )


def field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", weight="medium", color_scheme="gray"), control, spacing="1")
