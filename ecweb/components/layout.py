"""The frame of every logged-in page: header with navigation, System Notification and the operator."""

from __future__ import annotations

import reflex as rx

from ecweb.components.notifications import notification_bell, notification_popups
from ecweb_core import permissions as p
from ecweb_state.auth import AuthState
from ecweb_state.notifications import NotificationState

NAV = [
    ("受注管理", "/orders"),
    ("定期受注管理", "/subscriptions"),
    ("顧客管理", "/customers"),
    ("ジョブ管理", "/jobs"),
    ("送信メール", "/mailbox"),
]
SETTINGS_NAV = [
    ("自動化設定", "/settings/automation", p.AUTOMATION),
    ("CSV管理", "/settings/csv", p.SETTINGS_CSV),
    ("帳票管理 > 受注帳票管理", "/settings/order-documents", p.SETTINGS_DOCUMENTS),
    ("メールテンプレート管理", "/settings/mail-templates", p.SETTINGS_MAIL),
    ("外部連携サービスアカウント管理", "/settings/integrations", p.SETTINGS_INTEGRATIONS),
]
# The operators and what they did.
ADMIN_NAV = [
    ("管理者管理", "/settings/operators", p.OPERATORS),
    ("操作ログ", "/settings/audit-log", p.AUDIT),
]
# The shop's own master data (statuses, labels, reasons, fees, shop settings), after a separator.
SHOP_SETTINGS_NAV = [
    ("対応状況管理", "/settings/order-statuses", p.SETTINGS_MASTERS),
    ("受注ラベル管理", "/settings/labels", p.SETTINGS_MASTERS),
    ("理由管理", "/settings/reasons", p.SETTINGS_MASTERS),
    ("受注/定期受注設定", "/settings/orders", p.SETTINGS_MASTERS),
    ("配送/送料設定", "/settings/delivery", p.SETTINGS_MASTERS),
    ("支払方法", "/settings/payment-methods", p.SETTINGS_MASTERS),
]


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, color="white", weight="medium", size="2", underline="none")


def _menu_link(label: str, href: str, permission: str) -> rx.Component:
    """Shown to the roles that may change the screen's settings (the screens stay readable by URL)."""
    item = rx.menu.item(rx.link(label, href=href, underline="none", color="inherit", width="100%"))
    return rx.cond(AuthState.granted.contains(permission), item)


def _settings_menu() -> rx.Component:
    """The settings screens behind one 設定 menu, so the header keeps room for the operator's name."""
    menu = rx.menu.root(
        rx.menu.trigger(
            rx.button(
                "設定", rx.icon("chevron-down", size=14), variant="ghost", color="white", size="2", id="nav-settings"
            )
        ),
        rx.menu.content(
            *[_menu_link(*item) for item in SETTINGS_NAV],
            rx.menu.separator(),
            *[_menu_link(*item) for item in SHOP_SETTINGS_NAV],
            rx.menu.separator(),
            *[_menu_link(*item) for item in ADMIN_NAV],
        ),
    )
    # A role that may change no setting (一般, 閲覧のみ) sees no 設定 menu.
    return rx.cond(AuthState.has_settings, menu)


def header() -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.text("ecweb", weight="bold", size="5", color="white"),
            rx.separator(orientation="vertical", size="1"),
            *[_nav_link(label, href) for label, href in NAV],
            _settings_menu(),
            spacing="5",
            align="center",
        ),
        rx.spacer(),
        rx.hstack(
            notification_bell(),
            rx.text(AuthState.operator_name, color="white", size="2", id="operator-name"),
            rx.button("ログアウト", on_click=AuthState.logout, size="1", variant="surface", id="logout"),
            spacing="4",
            align="center",
        ),
        background="#1f2d3d",
        padding_x="1.5em",
        height="52px",
        align="center",
        width="100%",
        position="sticky",
        top="0",
        z_index="10",
    )


def page_frame(title: str, *children: rx.Component) -> rx.Component:
    """Shows the content only to a logged-in operator (the on_load handler redirects the others)."""
    return rx.box(
        header(),
        notification_popups(),
        rx.cond(
            AuthState.is_authenticated,
            rx.box(
                rx.text(title, size="5", weight="bold", margin_bottom="0.75em"),
                *children,
                padding="1.25em 1.5em",
                # Room below the content for the toasts shown (bottom right): the last rows of a
                # table can be scrolled above them instead of staying under them while they show.
                padding_bottom=rx.match(
                    NotificationState.popup.length(), (0, "1.25em"), (1, "104px"), (2, "184px"), "264px"
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="4em"),
        ),
        background="#f5f6f8",
        min_height="100vh",
    )
