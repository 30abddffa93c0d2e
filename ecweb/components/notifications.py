"""System Notification, top right of every page: a bell with the history, and the newest notes
shown until closed. Filled live by ecweb_state.delivery, no reload."""

from __future__ import annotations

import reflex as rx

from ecweb_state.notifications import Notice, NotificationState

LEVEL_COLOR = {"info": "blue", "success": "green", "error": "red"}


def _color(level: rx.Var) -> rx.Var:
    return rx.match(level, ("success", "green"), ("error", "red"), "blue")


def _history_item(n: Notice) -> rx.Component:
    return rx.hstack(
        rx.text(n.at, size="1", color_scheme="gray", white_space="nowrap"),
        rx.text(n.message, size="2"),
        spacing="2",
        align="start",
    )


def notification_bell() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("bell", size=16),
                "System Notification",
                rx.cond(
                    NotificationState.unread > 0,
                    rx.badge(NotificationState.unread, color_scheme="red", variant="solid", radius="full"),
                ),
                variant="ghost",
                color="white",
                size="2",
                id="system-notification",
                on_click=NotificationState.mark_read,
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("System Notification", weight="bold", size="2"),
                rx.cond(
                    NotificationState.notices.length() > 0,
                    rx.vstack(rx.foreach(NotificationState.notices, _history_item), spacing="2"),
                    rx.text("通知はありません。", size="2", color_scheme="gray"),
                ),
                rx.link("ジョブ管理を開く", href="/jobs", size="2"),
                spacing="2",
            ),
            width="360px",
        ),
    )


def _popup(n: Notice) -> rx.Component:
    return rx.callout.root(
        rx.hstack(
            rx.callout.text(n.message, weight="medium"),
            rx.spacer(),
            rx.icon("x", size=14, cursor="pointer", on_click=NotificationState.dismiss(n.key)),
            align="center",
            width="100%",
        ),
        color_scheme=_color(n.level),
        variant="surface",
        size="1",
        width="100%",
        custom_attrs={"data-testid": "notification"},
        background="white",
        box_shadow="0 4px 14px rgba(0,0,0,.12)",
    )


def notification_popups() -> rx.Component:
    return rx.vstack(
        rx.foreach(NotificationState.popup, _popup),
        position="fixed",
        top="60px",
        right="16px",
        width="380px",
        spacing="2",
        z_index="50",
    )
