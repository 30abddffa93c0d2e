"""Small pieces the 設定 screens share: a labelled field row, a saved / refused callout."""

from __future__ import annotations

import reflex as rx


def field_row(label: str, control: rx.Component, note: str = "", label_width: str = "240px") -> rx.Component:
    return rx.grid(
        rx.text(label, size="2", weight="medium", padding_top="6px"),
        rx.vstack(control, rx.cond(note != "", rx.text(note, size="1", color_scheme="gray")), spacing="1"),
        columns=f"{label_width} 1fr",
        spacing="3",
        width="100%",
    )


def saved(message: rx.Var, element_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout.root(rx.callout.text(message), color_scheme="green", size="1", id=element_id, width="100%"),
    )


def move_buttons(state: type, item_id: rx.Var, index: rx.Var, count: rx.Var) -> rx.Component:
    """↑ / ↓ / 先頭 / 末尾: `state.move(id, where)`."""
    return rx.hstack(
        rx.icon_button(
            rx.icon("arrow_up", size=14),
            size="1",
            variant="ghost",
            on_click=state.move(item_id, "up"),  # type: ignore[attr-defined]
            disabled=index == 0,
            aria_label="上へ",
        ),
        rx.icon_button(
            rx.icon("arrow_down", size=14),
            size="1",
            variant="ghost",
            on_click=state.move(item_id, "down"),  # type: ignore[attr-defined]
            disabled=index == count - 1,
            aria_label="下へ",
        ),
        rx.button("先頭", size="1", variant="soft", on_click=state.move(item_id, "top")),  # type: ignore[attr-defined]
        rx.button("末尾", size="1", variant="soft", on_click=state.move(item_id, "bottom")),  # type: ignore[attr-defined]
        spacing="2",
        align="center",
    )
