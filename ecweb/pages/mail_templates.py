"""メールテンプレート管理 (/settings/mail-templates)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.delete_confirm import delete_confirm
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb_core.mail.templates import TemplateRow
from ecweb_state.mail import MailTemplatesState as S

HEADERS = ["テンプレート名", "件名", "更新日時", ""]


def _row(t: TemplateRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(rx.text(t.name), rx.cond(t.is_system, rx.badge("システム", color_scheme="blue")), spacing="2")
        ),
        rx.table.cell(rx.text(t.subject, size="2", color_scheme="gray", trim="end")),
        rx.table.cell(t.updated_at),
        rx.table.cell(
            rx.hstack(
                rx.button("編集", size="1", variant="soft", on_click=S.edit(t.id)),
                rx.cond(
                    t.is_system,
                    rx.tooltip(
                        rx.button("削除", size="1", variant="soft", color_scheme="red", disabled=True),
                        content="システムテンプレートは削除できません",
                    ),
                    rx.button(
                        "削除", size="1", variant="soft", color_scheme="red", on_click=S.ask_delete(t.id, t.name)
                    ),
                ),
                spacing="2",
            )
        ),
        custom_attrs={"data-testid": "template-row"},
    )


def _field(label: str, name: str, **props: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=getattr(S, name), on_change=lambda v: S.set_field(name, v), id=f"tpl-{name}", name=name,
                 width="100%", **props),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _help() -> rx.Component:
    return rx.vstack(
        rx.text("差し込み項目", size="2", weight="bold"),
        rx.foreach(
            S.placeholders,
            lambda p: rx.vstack(
                rx.code(p[0], size="1", style={"white-space": "pre-wrap", "word-break": "break-all"}),
                rx.text(p[1], size="1", color_scheme="gray"),
                spacing="0",
            ),
        ),
        spacing="2",
        width="260px",
        flex_shrink="0",
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.edit_id == 0, "メールテンプレート 新規作成", "メールテンプレート 編集")),
            rx.form(
                rx.hstack(
                    rx.vstack(
                        _field("テンプレート名", "name", disabled=S.edit_system),
                        rx.cond(
                            S.edit_system,
                            rx.text("システムテンプレートの名前は変更できません。", size="1", color_scheme="gray"),
                        ),  # fmt: skip
                        _field("件名", "subject"),
                        rx.text("本文", size="2", weight="medium"),
                        rx.text_area(
                            value=S.body,
                            on_change=lambda v: S.set_field("body", v),
                            rows="14",
                            id="tpl-body",
                            name="body",
                            width="100%",
                        ),  # fmt: skip
                        rx.hstack(_field("CC", "cc"), _field("BCC", "bcc"), width="100%"),
                        form_errors(S.errors, "template-errors"),
                        rx.hstack(
                            rx.dialog.close(
                                rx.button("キャンセル", type="button", variant="soft", color_scheme="gray")
                            ),
                            rx.button("保存する", type="submit", id="save-template"),
                            justify="end",
                            width="100%",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    _help(),
                    spacing="4",
                    align="start",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
            ),
            max_width="920px",
            max_height="92vh",
            overflow_y="auto",
        ),
        open=S.editing,
        on_open_change=S.set_editing,
    )


def mail_templates_page() -> rx.Component:
    return page_frame(
        "メールテンプレート管理",
        rx.hstack(
            rx.text(
                "メール一括通知と自動化設定(メールを送信する)で使うテンプレートです。", size="2", color_scheme="gray"
            ),
            rx.spacer(),
            rx.button("新規作成", on_click=S.new, id="new-template"),
            width="100%",
            margin_bottom="0.75em",
        ),
        rx.cond(
            S.message != "",
            rx.callout(S.message, color_scheme="green", size="1", id="template-message", margin_bottom="0.75em"),
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])),
            rx.table.body(rx.foreach(S.templates, _row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        _editor(),
        delete_confirm("メールテンプレートの削除", S),
    )
