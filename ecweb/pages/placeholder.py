"""Screens whose capability arrives with a later issue: they say so instead of a broken link."""

from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame


def coming_page(title: str, what: str) -> rx.Component:
    return page_frame(title, rx.callout(f"{what}は今後のリリースで利用できます。", icon="info", color_scheme="blue"))
