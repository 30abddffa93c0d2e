from __future__ import annotations

import reflex as rx


def form_errors(errors: rx.Var, element_id: str) -> rx.Component:
    """The Japanese messages of a refused form, in one red callout (nothing when there are none)."""
    return rx.cond(
        errors.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.vstack(rx.foreach(errors, lambda e: rx.text(e, size="2")), spacing="1"),
            color_scheme="red",
            size="1",
            id=element_id,
            width="100%",
        ),
    )
