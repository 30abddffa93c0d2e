"""The 削除 confirmation of the settings lists (CSV管理, メールテンプレート管理)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def delete_confirm(title: str, state: Any) -> rx.Component:
    """`state` holds delete_id / delete_name and the events cancel_delete / confirm_delete."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description("「", state.delete_name, "」を削除します。よろしいですか?"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                # A plain button, not alert_dialog.action: the action's close event (cancel_delete)
                # could clear delete_id before confirm_delete reads it. confirm_delete closes it.
                rx.button("削除する", color_scheme="red", on_click=state.confirm_delete, id="confirm-delete"),
                justify="end",
                spacing="2",
                margin_top="1em",
            ),
        ),
        open=state.delete_id != 0,
        on_open_change=state.cancel_delete,
    )
