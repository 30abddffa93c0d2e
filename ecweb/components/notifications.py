"""System Notification: a bell with the history at the top right of every page, and the newest notes
as toasts at the bottom right that fade on their own. Filled live by ecweb_state.delivery, no reload.

The toasts take no clicks (pointer-events: none) but their close button and job link, so a control
underneath one is never blocked; each note names its job and links to its row in ジョブ管理."""

from __future__ import annotations

import reflex as rx

from ecweb_state.notifications import Notice, NotificationState

LEVEL_COLOR = {"info": "blue", "success": "green", "error": "red"}


def _color(level: rx.Var) -> rx.Var:
    return rx.match(level, ("success", "green"), ("error", "red"), "blue")


def _job_link(n: Notice) -> rx.Component:
    return rx.link(n.caption, href=n.href, size="1", custom_attrs={"data-testid": "notification-job"})


def _history_item(n: Notice) -> rx.Component:
    return rx.hstack(
        rx.text(n.at, size="1", color_scheme="gray", white_space="nowrap"),
        rx.vstack(
            rx.text(n.message, size="2", color=rx.cond(n.level == "error", "var(--red-11)", "inherit")),
            _job_link(n),
            spacing="0",
        ),
        spacing="2",
        align="start",
        custom_attrs={"data-testid": "notification-history-item"},
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
                    rx.vstack(
                        rx.foreach(NotificationState.notices, _history_item),
                        spacing="2",
                        max_height="60vh",
                        overflow_y="auto",
                        width="100%",
                    ),
                    rx.text("通知はありません。", size="2", color_scheme="gray"),
                ),
                rx.link("ジョブ管理を開く", href="/jobs", size="2"),
                spacing="2",
            ),
            width="380px",
        ),
    )


def _popup(n: Notice) -> rx.Component:
    return rx.box(
        rx.callout.root(
            rx.hstack(
                rx.vstack(
                    rx.callout.text(n.message, weight="medium"),
                    rx.box(_job_link(n), pointer_events="auto"),
                    spacing="0",
                ),
                rx.spacer(),
                rx.icon(
                    "x",
                    size=14,
                    cursor="pointer",
                    pointer_events="auto",
                    aria_label="閉じる",
                    on_click=NotificationState.dismiss(n.key),
                ),
                align="start",
                width="100%",
            ),
            color_scheme=_color(n.level),
            variant="surface",
            size="1",
            width="100%",
            background="white",
            box_shadow="0 4px 14px rgba(0,0,0,.12)",
        ),
        # A key per note: a new toast mounts (and starts its fade) instead of reusing an old one's node.
        key=n.key,
        class_name=rx.cond(n.sticky, "ecweb-note sticky", "ecweb-note"),
        style={"animation_duration": n.fade},
        width="100%",
        custom_attrs={"data-testid": "notification"},
    )


def notification_popups() -> rx.Component:
    return rx.vstack(
        rx.foreach(NotificationState.popup, _popup),
        position="fixed",
        bottom="16px",
        right="16px",
        width="360px",
        spacing="2",
        z_index="50",
        pointer_events="none",
    )
