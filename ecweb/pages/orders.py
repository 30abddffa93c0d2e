from __future__ import annotations

import reflex as rx

from ecweb.components.bulk_actions import actions
from ecweb.components.layout import page_frame
from ecweb.components.order_grid import order_grid
from ecweb.components.search_form import search_form


def orders_page() -> rx.Component:
    return page_frame(
        "受注管理",
        rx.card(search_form(), width="100%", margin_bottom="1em"),
        order_grid(),
        *[action.dialog() for action in actions()],
    )
