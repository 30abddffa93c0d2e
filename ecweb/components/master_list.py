"""The managed-list screen (対応状況管理, 受注ラベル管理, 理由管理): 新規作成, the ordered list with
↑ / ↓ / 先頭 / 末尾, 編集, 有効化 / 無効化, 削除 (refused while in use: 使用状況 says where)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.delete_confirm import delete_confirm
from ecweb.components.form_errors import form_errors
from ecweb.components.settings_bits import move_buttons
from ecweb_core.masters.labels import COLORS
from ecweb_core.masters.lists import ListItem
from ecweb_state.master_lists import MasterListState as S

HEADERS = [("並び順", "210px"), ("名称", ""), ("種別", "90px"), ("状態", "70px"), ("使用状況", ""), ("", "210px")]


def _color_select(value: rx.Var, on_change: rx.EventHandler, element_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="9em", id=element_id),
        rx.select.content(
            *[
                rx.select.item(
                    rx.hstack(rx.badge(label, color_scheme=key, variant="soft"), align="center"),  # type: ignore[arg-type]
                    value=key,
                )
                for key, label in COLORS.items()
            ]
        ),
        value=value,
        on_change=on_change,
        size="2",
    )


def create_form(placeholder: str) -> rx.Component:
    return rx.card(
        rx.form(
            rx.hstack(
                rx.text(S.title, "の新規作成", weight="bold", size="2", white_space="nowrap"),
                rx.input(
                    value=S.new_name,
                    on_change=S.set_new_name,
                    name="name",
                    placeholder=placeholder,
                    width="22em",
                    id="list-new-name",
                ),
                rx.cond(S.has_color, _color_select(S.new_color, S.set_new_color, "list-new-color")),
                rx.button("追加する", type="submit", id="list-create"),
                align="center",
                spacing="3",
            ),
            on_submit=S.create,
            reset_on_submit=False,
        ),
        form_errors(S.create_errors, "list-create-errors"),
        width="100%",
        margin_bottom="0.75em",
    )


def _row(item: ListItem, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(move_buttons(S, item.id, index, S.items.length())),
        rx.cond(S.kind == "status", rx.table.cell(item.id, custom_attrs={"data-testid": "list-id"})),
        rx.table.cell(
            rx.cond(
                S.has_color,
                rx.badge(item.name, color_scheme=item.color, variant="soft", size="2"),  # type: ignore[arg-type]
                rx.text(item.name, size="2"),
            ),
            custom_attrs={"data-testid": "list-name"},
        ),
        rx.table.cell(rx.cond(item.system, rx.badge("システム", color_scheme="blue"), rx.text("独自", size="1"))),
        rx.table.cell(
            rx.badge(rx.cond(item.enabled, "有効", "無効"), color_scheme=rx.cond(item.enabled, "green", "gray")),
            custom_attrs={"data-testid": "list-status"},
        ),
        rx.table.cell(
            rx.text(rx.cond(item.usage != "", item.usage, "—"), size="1", color_scheme="gray"),
            custom_attrs={"data-testid": "list-usage"},
        ),
        rx.table.cell(
            rx.cond(
                item.system,
                rx.text("名称固定", size="1", color_scheme="gray"),
                rx.hstack(
                    rx.button(
                        "編集",
                        size="1",
                        variant="soft",
                        on_click=S.start_edit(item.id, item.name, item.color, item.system),
                        custom_attrs={"data-testid": "list-edit"},
                    ),
                    rx.button(
                        rx.cond(item.enabled, "無効化", "有効化"),
                        size="1",
                        variant="outline",
                        on_click=S.toggle(item.id, item.enabled),
                        custom_attrs={"data-testid": "list-toggle"},
                    ),
                    rx.button(
                        "削除",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.ask_delete(item.id, item.name),
                        custom_attrs={"data-testid": "list-delete"},
                    ),
                    spacing="2",
                ),
            ),
        ),
        custom_attrs={"data-testid": "list-row"},
        align="center",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.title, "の編集"),
            rx.vstack(
                rx.text("名称", size="2", weight="medium"),
                rx.input(value=S.edit_name, on_change=S.set_edit_name, width="100%", id="list-edit-name"),
                rx.cond(
                    S.has_color,
                    rx.vstack(
                        rx.text("色", size="2", weight="medium"),
                        _color_select(S.edit_color, S.set_edit_color, "list-edit-color"),
                        spacing="2",
                    ),
                ),
                rx.cond(
                    S.kind != "label",
                    rx.cond(
                        S.kind != "status",
                        rx.text(
                            "名称を変更すると、この理由が設定されている受注・顧客・定期受注の表示も新しい名称になります。",
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                ),
                form_errors(S.edit_errors, "list-edit-errors"),
                rx.hstack(
                    rx.dialog.close(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                    rx.button("この内容で保存する", on_click=S.save_edit, id="list-edit-save"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="0.5em",
            ),
            max_width="480px",
        ),
        open=S.edit_id != 0,
        on_open_change=S.close_edit,
    )


def master_list(intro: str, placeholder: str) -> rx.Component:
    return rx.box(
        rx.text(intro, size="2", color_scheme="gray", margin_bottom="0.75em"),
        create_form(placeholder),
        rx.cond(
            S.message != "",
            rx.callout.root(
                rx.callout.text(S.message), color_scheme="green", size="1", margin_bottom="0.75em", id="list-message"
            ),
        ),
        form_errors(S.errors, "list-errors"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(HEADERS[0][0], width=HEADERS[0][1]),
                    # The seed names statuses by id (注文確定 (ID:35)): 対応状況管理 shows it.
                    rx.cond(S.kind == "status", rx.table.column_header_cell("ID", width="60px")),
                    *[rx.table.column_header_cell(h, width=w or None) for h, w in HEADERS[1:]],
                )
            ),
            rx.table.body(rx.foreach(S.items, _row)),
            size="1",
            variant="surface",
            width="100%",
            margin_top="0.5em",
            id="list-table",
        ),
        rx.cond(
            S.items.length() == 0,
            rx.center(rx.text("登録されていません。", color_scheme="gray"), padding="2em"),
        ),
        _edit_dialog(),
        delete_confirm(S.title + "の削除", S),
    )
