"""The dialogs that register bulk jobs on the grid's selection."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_state.orders import OrdersState


def _dialog(kind: str, title: str, description: str, fields: rx.Component, submit: str) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.text(OrdersState.target_label, weight="bold", size="2"),
                    fields,
                    form_errors(OrdersState.job_errors, "job-errors"),
                    rx.hstack(
                        rx.dialog.close(rx.button("キャンセル", type="button", variant="soft", color_scheme="gray")),
                        rx.button(submit, type="submit", id=f"submit-{kind}"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="1em",
                ),
                on_submit=OrdersState.submit_job,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=OrdersState.job_form == kind,
        on_open_change=OrdersState.set_job_form_open,
    )


def dunning_dialog() -> rx.Component:
    return _dialog(
        "dunning",
        "一括督促",
        "選択した受注に督促の支払期限とメモを記録します。顧客には何も送信されません。",
        rx.vstack(
            rx.text("支払期限(任意)", size="2", weight="medium"),
            rx.input(name="due_date", id="dunning-due-date", placeholder="2026-01-31", width="100%"),
            rx.text("メモ", size="2", weight="medium"),
            rx.text_area(name="memo", id="dunning-memo", rows="4", width="100%"),
            spacing="2",
            width="100%",
        ),
        "この内容で登録する",
    )
