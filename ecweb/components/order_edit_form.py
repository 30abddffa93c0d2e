"""受注の編集 on the detail page: one order's 対応状況, 決済状況, 配送伝票番号 and dates."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_state.order_edit import OrderEditState as S


def _select(name: str, label: str, choices: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1"),
        rx.select.root(
            rx.select.trigger(placeholder="変更しない", id=f"edit-{name}", width="12em"),
            rx.select.content(rx.foreach(choices, lambda c: rx.select.item(c[1], value=c[0]))),
            name=name,
        ),
        spacing="1",
    )


def _input(name: str, label: str, placeholder: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1"),
        rx.input(name=name, id=f"edit-{name}", placeholder=placeholder, width="11em"),
        spacing="1",
    )


def order_edit_form() -> rx.Component:
    return rx.card(
        rx.text("受注の編集", weight="bold", size="3", margin_bottom="0.5em"),
        rx.form(
            rx.hstack(
                _select("status_id", "対応状況", S.status_choices),
                _select("payment_status", "決済状況", S.payment_status_choices),
                _input("tracking_number", "配送伝票番号", ""),
                _input("shipped_at", "発送完了日", "2026-01-31"),
                _input("delivered_at", "配送完了日", "2026-01-31"),
                rx.button("更新する", type="submit", id="edit-submit"),
                align="end",
                spacing="3",
                wrap="wrap",
            ),
            on_submit=S.save,
            reset_on_submit=False,
        ),
        form_errors(S.edit_errors, "edit-errors"),
        rx.cond(S.edit_notice != "", rx.text(S.edit_notice, size="2", color_scheme="green", id="edit-notice")),
        on_mount=S.load_choices,
        width="100%",
    )
