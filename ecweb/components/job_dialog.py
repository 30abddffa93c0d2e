"""The dialog that registers a bulk job on the grid's selection, shared by every bulk form."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_core.jobs.catalog import kind_label
from ecweb_state.job_forms import JobFormState
from ecweb_state.orders import OrdersState


def job_dialog(
    kind: str,
    description: str,
    fields: rx.Component,
    submit: str,
    max_width: str = "520px",
    on_submit: Any = None,
) -> rx.Component:
    """A dialog whose form registers a job of `kind` on the grid's selection (by default through
    JobFormState.submit; a form whose fields live in its own state passes its handler). Its title
    is the kind's 処理名 from the catalog."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(kind_label(kind)),
            rx.dialog.description(description, size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.text(OrdersState.target_label, weight="bold", size="2"),
                    fields,
                    form_errors(JobFormState.errors, "job-errors"),
                    rx.hstack(
                        rx.dialog.close(rx.button("キャンセル", type="button", variant="soft", color_scheme="gray")),
                        rx.button(submit, type="submit", id=f"submit-{kind}"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="1em",
                ),
                on_submit=on_submit or JobFormState.submit,
                reset_on_submit=False,
            ),
            max_width=max_width,
            max_height="90vh",
            overflow_y="auto",
        ),
        open=JobFormState.open_kind == kind,
        on_open_change=JobFormState.set_open,
    )
