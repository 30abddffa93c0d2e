"""送信メール (/mailbox): the mails the local capture server received, body on click."""

from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb_core.mail.mailbox import MailboxRow
from ecweb_state.mail import MailboxState as S

HEADERS = ["受信日時", "宛先", "CC", "件名"]


def _row(m: MailboxRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.received_at, white_space="nowrap"),
        rx.table.cell(m.to_header),
        rx.table.cell(m.cc),
        rx.table.cell(m.subject),
        on_click=S.open_mail(m.id),
        cursor="pointer",
        background=rx.cond(S.open_id == m.id, "var(--accent-3)", "transparent"),
        custom_attrs={"data-testid": "mail-row"},
    )


def _opened() -> rx.Component:
    return rx.cond(
        S.open_id != 0,
        rx.card(
            rx.vstack(
                rx.text(S.open_subject, weight="bold", size="3", id="mail-open-subject"),
                rx.text("宛先: ", S.open_to, "  CC: ", S.open_cc, size="2", color_scheme="gray"),
                rx.text("エンベロープ宛先(BCC含む): ", S.open_rcpt, size="2", color_scheme="gray"),
                rx.text("受信日時: ", S.open_received, size="2", color_scheme="gray"),
                rx.separator(size="4"),
                rx.el.pre(
                    S.open_body,
                    id="mail-open-body",
                    style={"white-space": "pre-wrap", "font-family": "inherit", "font-size": "14px", "margin": "0"},
                ),  # fmt: skip
                spacing="2",
                width="100%",
            ),
            width="100%",
            margin_bottom="1em",
        ),
    )


def mailbox_page() -> rx.Component:
    return page_frame(
        "送信メール",
        rx.hstack(
            rx.text(
                "ローカルのSMTPキャプチャサーバーが受信したメールです(",
                S.total,
                "件)。行をクリックすると本文を表示します。",
                size="2",
                color_scheme="gray",
                id="mailbox-total",
            ),
            rx.spacer(),
            rx.button("更新", on_click=S.reload, size="1", variant="soft", id="mailbox-reload"),
            width="100%",
            margin_bottom="0.75em",
        ),
        _opened(),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])),
            rx.table.body(rx.foreach(S.mails, _row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        rx.hstack(
            rx.button("前へ", size="1", variant="soft", on_click=S.go_to_page(S.page - 1), disabled=S.page <= 1),
            rx.text(S.page, " / ", S.page_count, size="2"),
            rx.button(
                "次へ", size="1", variant="soft", on_click=S.go_to_page(S.page + 1), disabled=S.page >= S.page_count
            ),  # fmt: skip
            justify="center",
            width="100%",
            margin_top="0.75em",
        ),
    )
