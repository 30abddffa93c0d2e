"""メール一括通知 dialog (seed: テンプレートから選択する / 本文を入力する / テンプレートから引用)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.job_dialog import job_dialog
from ecweb.components.panel import panel
from ecweb_state.mail import MailDialogState as S


def _label(text: str) -> rx.Component:
    return rx.text(text, size="2", weight="medium")


def _mode(value: str, text: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(rx.radio_group.item(value=value, id=f"mail-mode-{value}"), rx.text(text, size="2", weight="bold")),
        cursor="pointer",
    )


def _template_section() -> rx.Component:
    return rx.vstack(
        _mode("template", "テンプレートから選択する"),
        rx.hstack(
            rx.box(
                rx.select.root(
                    rx.select.trigger(placeholder="テンプレートを選択", id="mail-template", width="100%"),
                    rx.select.content(rx.foreach(S.template_options, lambda o: rx.select.item(o[1], value=o[0]))),
                    value=S.template_id,
                    on_change=S.choose_template,
                ),
                flex="1",
                min_width="0",
            ),
            rx.button(
                "テンプレートから引用",
                type="button",
                variant="soft",
                on_click=S.quote_template,
                id="mail-quote",
                flex_shrink="0",
            ),
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _text_section() -> rx.Component:
    def field(label: str, name: str, placeholder: str = "") -> rx.Component:
        return rx.vstack(
            _label(label),
            rx.input(
                value=getattr(S, name),
                on_change=lambda v: S.set_field(name, v),
                on_blur=S.refresh_preview,
                placeholder=placeholder,
                id=f"mail-{name}",
                name=name,
                width="100%",
            ),
            spacing="1",
            width="100%",
        )

    return rx.vstack(
        _mode("text", "本文を入力する"),
        field("件名", "subject", "【{{ shop.name }}】{{ order.number }} について"),
        _label("本文"),
        rx.text_area(
            value=S.body,
            on_change=lambda v: S.set_field("body", v),
            on_blur=S.refresh_preview,
            rows="8",
            id="mail-body",
            name="body",
            width="100%",
            placeholder="{{ customer.name }} 様",
        ),
        rx.hstack(field("CC", "cc", "カンマ区切り"), field("BCC", "bcc", "カンマ区切り"), width="100%"),
        spacing="2",
        width="100%",
    )


def _preview() -> rx.Component:
    return panel(
        rx.hstack(
            rx.text("プレビュー(最初の受注 ", S.preview_number, ")", size="2", weight="bold"),
            rx.spacer(),
            rx.button("更新", type="button", size="1", variant="ghost", on_click=S.refresh_preview),
            width="100%",
        ),
        rx.cond(
            S.preview_error != "",
            rx.text(S.preview_error, size="2", color_scheme="red", id="mail-preview-error"),
            rx.vstack(
                rx.text("宛先: ", S.preview_to, size="2"),
                rx.text("件名: ", S.preview_subject, size="2", weight="medium", id="mail-preview-subject"),
                rx.el.pre(
                    S.preview_body,
                    id="mail-preview-body",
                    style={
                        "white-space": "pre-wrap",
                        "font-size": "13px",
                        "margin": "0",
                        "max-height": "220px",
                        "overflow-y": "auto",
                        "font-family": "inherit",
                    },
                ),  # fmt: skip
                spacing="1",
                width="100%",
            ),
        ),
        id="mail-preview",
    )


def mail_dialog() -> rx.Component:
    fields = rx.vstack(
        rx.radio_group.root(
            rx.vstack(_template_section(), rx.separator(size="4"), _text_section(), spacing="3", width="100%"),
            value=S.mail_mode,
            on_change=S.set_mode,
            width="100%",
        ),
        _preview(),
        spacing="3",
        width="100%",
        on_mount=S.prepare,  # the dialog's content mounts each time it opens
    )
    return job_dialog(
        "mail",
        "選択した受注に紐づく顧客へメールを一括で送信します。メール設定が「送信しない」の顧客には送信されません。",
        fields,
        "この内容で送信する",
        max_width="760px",
        on_submit=S.submit_mail,
    )
