"""A grey panel that sets a part of a form apart (a preview, a group of dependent options)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def panel(*children: rx.Component, **props: Any) -> rx.Component:
    return rx.box(
        *children,
        background="var(--gray-2)",
        border="1px solid var(--gray-5)",
        border_radius="6px",
        padding="0.75em",
        width="100%",
        **props,
    )
