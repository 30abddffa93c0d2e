"""設定 > 帳票管理 > 受注帳票管理 (/settings/order-documents)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.delete_confirm import delete_confirm
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb_core.documents.templates import TemplateRow
from ecweb_state.order_documents import OrderDocumentsState as S

HEADERS = ["帳票名", "帳票の種類", "タイトル", "登録番号", "更新日時", ""]
LOGO_UPLOAD = "logo-upload"


def _row(t: TemplateRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(rx.text(t.name), rx.cond(t.is_system, rx.badge("システム", color_scheme="blue")), spacing="2")
        ),
        rx.table.cell(t.kind_label),
        rx.table.cell(t.title),
        rx.table.cell(
            rx.cond(t.registration_number != "", t.registration_number, rx.text("未設定", color_scheme="gray"))
        ),
        rx.table.cell(t.updated_at),
        rx.table.cell(
            rx.hstack(
                rx.button("編集", size="1", variant="soft", on_click=S.edit(t.id)),
                rx.button("コピー", size="1", variant="soft", color_scheme="gray", on_click=S.copy(t.id)),
                rx.cond(
                    t.is_system,
                    rx.tooltip(
                        rx.button("削除", size="1", variant="soft", color_scheme="red", disabled=True),
                        content="システム帳票は削除できません",
                    ),
                    rx.button("削除", size="1", variant="soft", color_scheme="red",
                              on_click=S.ask_delete(t.id, t.name)),
                ),
                spacing="2",
            )
        ),
        custom_attrs={"data-testid": "document-row"},
    )  # fmt: skip


def _input(label: str, name: str, placeholder: str = "", **props: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=getattr(S, name), on_change=lambda v: S.set_field(name, v), id=f"doc-{name}", name=name,
                 placeholder=placeholder, width="100%", **props),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _field_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.checkbox(checked=row[2] == "1", on_change=lambda _: S.toggle_field(row[0]), id="doc-field-" + row[0]),
        rx.text(row[1], size="2", flex="1", color=rx.cond(row[2] == "1", "inherit", "var(--gray-9)")),
        rx.icon_button(rx.icon("arrow-up", size=12), size="1", variant="ghost", type="button",
                       on_click=S.move_field(row[0], -1), aria_label="上へ"),
        rx.icon_button(rx.icon("arrow-down", size=12), size="1", variant="ghost", type="button",
                       on_click=S.move_field(row[0], 1), aria_label="下へ"),
        align="center",
        width="100%",
        padding_y="1px",
        custom_attrs={"data-testid": "doc-field"},
    )  # fmt: skip


def _fields() -> rx.Component:
    return rx.vstack(
        rx.text("出力項目(チェックした項目を上から順に印字します)", size="2", weight="medium"),
        rx.box(
            rx.foreach(S.field_rows, _field_row),
            border="1px solid var(--gray-5)",
            border_radius="6px",
            padding="0.25em 0.5em",
            width="100%",
        ),
        rx.cond(
            (S.edit_kind == "invoice") | (S.edit_kind == "receipt"),
            rx.text("請求書・領収書は適格請求書として「商品明細」「税率別内訳」と登録番号が必要です。", size="1",
                    color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _logo() -> rx.Component:
    return rx.vstack(
        rx.text("ロゴ画像(PNG・JPEG、512KBまで)", size="2", weight="medium"),
        rx.hstack(
            rx.cond(
                S.logo_uri != "",
                rx.image(src=S.logo_uri, height="40px", alt="ロゴ", id="doc-logo-image"),
                rx.text("なし", size="2", color_scheme="gray"),
            ),
            rx.upload(
                rx.button("画像を選択", type="button", size="1", variant="soft"),
                id=LOGO_UPLOAD,
                accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]},
                max_files=1,
                multiple=False,
                no_drag=True,
                on_drop=S.upload_logo(rx.upload_files(upload_id=LOGO_UPLOAD)),
                border="none",
                padding="0",
            ),
            rx.cond(
                S.logo_uri != "",
                rx.button("削除", type="button", size="1", variant="ghost", color_scheme="red", on_click=S.remove_logo),
            ),
            align="center",
            spacing="3",
        ),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _help() -> rx.Component:
    return rx.vstack(
        rx.text("差し込み項目(備考・宛名・但し書き)", size="2", weight="bold"),
        rx.foreach(
            S.placeholders,
            lambda p: rx.vstack(
                rx.code(p[0], size="1", style={"white-space": "pre-wrap", "word-break": "break-all"}),
                rx.text(p[1], size="1", color_scheme="gray"),
                spacing="0",
            ),
        ),
        spacing="2",
        width="240px",
        flex_shrink="0",
    )


def _editor() -> rx.Component:
    receipt = S.edit_kind == "receipt"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("受注帳票 編集(", S.edit_kind_label, ")"),
            rx.form(
                rx.hstack(
                    rx.vstack(
                        rx.hstack(
                            _input("帳票名", "name", disabled=S.edit_system),
                            _input("タイトル(印字)", "title", "納品書"),
                            width="100%",
                        ),
                        rx.cond(S.edit_system, rx.text("システム帳票の名前は変更できません。", size="1",
                                                       color_scheme="gray")),
                        _fields(),
                        rx.text("ショップ情報", size="2", weight="bold", margin_top="0.5em"),
                        rx.hstack(_input("ショップ名(空欄: ショップ設定の名前)", "shop_name"),
                                  _input("電話番号", "shop_phone", "03-1234-5678"), width="100%"),
                        rx.hstack(
                            rx.box(_input("郵便番号", "shop_postal_code", "150-0001"), width="30%"),
                            rx.box(_input("住所", "shop_address"), flex="1"),
                            width="100%",
                        ),
                        _input("登録番号(適格請求書発行事業者)", "registration_number", "T1234567890123"),
                        _logo(),
                        rx.cond(
                            receipt,
                            rx.hstack(_input("宛名", "receipt_addressee", "{{ customer.name }}"),
                                      _input("但し書き", "receipt_note", "お品代として"), width="100%"),
                        ),
                        rx.text("備考", size="2", weight="medium"),
                        rx.text_area(value=S.remarks, on_change=lambda v: S.set_field("remarks", v), rows="4",
                                     id="doc-remarks", name="remarks", width="100%"),
                        form_errors(S.errors, "document-errors"),
                        rx.hstack(
                            rx.dialog.close(
                                rx.button("キャンセル", type="button", variant="soft", color_scheme="gray")
                            ),
                            rx.button("保存する", type="submit", id="save-document"),
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
            max_width="980px",
            max_height="94vh",
            overflow_y="auto",
        ),
        open=S.editing,
        on_open_change=S.set_editing,
    )  # fmt: skip


def order_documents_page() -> rx.Component:
    return page_frame(
        "受注帳票管理",
        rx.hstack(
            rx.text("帳票管理 > 受注帳票管理: PDF一括出力で使う帳票です。",
                    "独自の帳票は既存の帳票をコピーして作成します。", size="2", color_scheme="gray"),
            width="100%",
            margin_bottom="0.75em",
        ),
        rx.cond(
            S.message != "",
            rx.callout(S.message, color_scheme="green", size="1", id="document-message", margin_bottom="0.75em"),
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])),
            rx.table.body(rx.foreach(S.templates, _row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        _editor(),
        delete_confirm("帳票の削除", S),
    )  # fmt: skip
