"""設定 > 管理者管理 (operators, roles, disabling, password resets) and 設定 > 操作ログ."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb.components.settings_bits import saved
from ecweb_core.auth import PASSWORD_MIN
from ecweb_core.operators import OperatorRow
from ecweb_state.auth import AuthState
from ecweb_state.operators import AuditLogState as A
from ecweb_state.operators import OperatorsState as S

PASSWORD_NOTE = f"{PASSWORD_MIN}文字以上で、英字・数字・記号のうち2種類以上を含めてください。"


def _role_select(row: OperatorRow) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="120px"),
        rx.select.content(rx.foreach(S.role_choices, lambda c: rx.select.item(c[1], value=c[0]))),
        value=row.role,
        on_change=lambda v: S.change_role(row.id, v),
        size="1",
        custom_attrs={"data-testid": "operator-role"},
    )


def _operator_row(row: OperatorRow) -> rx.Component:
    me = row.login == AuthState.operator_login
    return rx.table.row(
        rx.table.cell(row.login),
        rx.table.cell(row.name),
        rx.table.cell(_role_select(row)),
        rx.table.cell(
            rx.badge(rx.cond(row.disabled, "無効", "有効"), color_scheme=rx.cond(row.disabled, "gray", "green"))
        ),  # fmt: skip
        rx.table.cell(row.created_at),
        rx.table.cell(
            rx.hstack(
                rx.button("パスワード再設定", size="1", variant="soft", on_click=S.open_reset(row.id, row.login)),
                rx.cond(
                    me,
                    rx.text("(ログイン中)", size="1", color_scheme="gray"),
                    rx.button(
                        rx.cond(row.disabled, "有効にする", "無効にする"),
                        size="1",
                        variant="soft",
                        color_scheme=rx.cond(row.disabled, "green", "red"),
                        on_click=S.toggle_disabled(row.id, ~row.disabled),
                    ),  # fmt: skip
                ),
                spacing="2",
            )
        ),
        custom_attrs={"data-testid": "operator-row"},
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("管理者の新規作成"),
            rx.form(
                rx.vstack(
                    form_errors(S.errors, "operator-errors"),
                    rx.text("ログインID", size="2", weight="medium"),
                    rx.input(name="login", id="new-login", max_length=64, width="100%"),
                    rx.text("名前", size="2", weight="medium"),
                    rx.input(name="name", id="new-name", max_length=100, width="100%"),
                    rx.text("パスワード", size="2", weight="medium"),
                    rx.input(name="password", type="password", id="new-password", max_length=128, width="100%"),
                    rx.text(PASSWORD_NOTE, size="1", color_scheme="gray"),
                    rx.text("権限", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%"),
                        rx.select.content(rx.foreach(S.role_choices, lambda c: rx.select.item(c[1], value=c[0]))),
                        name="role",
                        default_value="staff",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("キャンセル", type="button", variant="soft", color_scheme="gray")),
                        rx.button("作成する", type="submit", id="create-operator"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                ),
                on_submit=S.create,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=S.creating,
        on_open_change=S.set_creating,
    )


def _reset_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("パスワード再設定: ", S.reset_login),
            rx.form(
                rx.vstack(
                    form_errors(S.errors, "reset-errors"),
                    rx.input(
                        name="password",
                        type="password",
                        id="reset-password",
                        max_length=128,
                        width="100%",
                        placeholder="新しいパスワード",
                    ),  # fmt: skip
                    rx.text(
                        PASSWORD_NOTE + " 再設定すると、この管理者のログイン中のセッションは終了します。",
                        size="1",
                        color_scheme="gray",
                    ),  # fmt: skip
                    rx.hstack(
                        rx.dialog.close(rx.button("キャンセル", type="button", variant="soft", color_scheme="gray")),
                        rx.button("再設定する", type="submit", id="reset-submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                ),
                on_submit=S.submit_reset,
            ),
            max_width="480px",
        ),
        open=S.reset_id > 0,
        on_open_change=S.close_reset,
    )


def operators_page() -> rx.Component:
    return page_frame(
        "管理者管理",
        rx.vstack(
            rx.hstack(
                rx.text(
                    "管理者の権限: 管理者(すべて)/ 一般(受注と、決済状況一括変更以外の一括処理)/ 閲覧のみ(参照のみ)",
                    size="2",
                    color_scheme="gray",
                ),  # fmt: skip
                rx.spacer(),
                rx.button("新規作成", on_click=S.set_creating(True), id="new-operator"),
                width="100%",
                align="center",
            ),
            saved(S.message, "operators-message"),
            rx.cond(~S.creating & (S.reset_id == 0), form_errors(S.errors, "operators-errors")),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("ログインID", "名前", "権限", "状態", "作成日時", "")
                        ]
                    )  # fmt: skip
                ),
                rx.table.body(rx.foreach(S.operators, _operator_row)),
                width="100%",
                variant="surface",
            ),
            _create_dialog(),
            _reset_dialog(),
            spacing="3",
            width="100%",
        ),
    )


def _entry_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.at, white_space="nowrap"),
        rx.table.cell(e.operator),
        rx.table.cell(rx.badge(e.kind, variant="soft")),
        rx.table.cell(e.target),
        rx.table.cell(e.detail),
        rx.table.cell(e.address),
        custom_attrs={"data-testid": "audit-row"},
    )


def audit_log_page() -> rx.Component:
    return page_frame(
        "操作ログ",
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(width="160px", placeholder="種類"),
                        rx.select.content(rx.foreach(A.kind_choices, lambda c: rx.select.item(c[1], value=c[0]))),
                        name="kind",
                        default_value="all",
                    ),
                    rx.select.root(
                        rx.select.trigger(width="140px"),
                        rx.select.content(
                            rx.select.item("全期間", value="0"),
                            rx.select.item("過去24時間", value="1"),
                            rx.select.item("過去7日", value="7"),
                            rx.select.item("過去30日", value="30"),
                        ),
                        name="days",
                        default_value="0",
                    ),
                    rx.input(
                        name="text",
                        placeholder="対象・内容・ログインID・アドレス",
                        max_length=100,
                        width="280px",
                        id="audit-text",
                    ),  # fmt: skip
                    rx.button("検索", type="submit", id="audit-search"),
                    spacing="2",
                    align="center",
                ),
                on_submit=A.search,
                reset_on_submit=False,
            ),
            rx.cond(A.message != "", rx.text(A.message, color_scheme="red", size="2", id="audit-message")),
            rx.hstack(
                rx.text(A.total, " 件", size="2", id="audit-total"),
                rx.spacer(),
                rx.button("前へ", size="1", variant="soft", disabled=A.page <= 1, on_click=A.go_to_page(A.page - 1)),
                rx.text(A.page, " / ", A.page_count, " ページ", size="2"),
                rx.button(
                    "次へ", size="1", variant="soft", disabled=A.page >= A.page_count, on_click=A.go_to_page(A.page + 1)
                ),  # fmt: skip
                width="100%",
                align="center",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("日時", "管理者", "種類", "対象", "内容", "アドレス")
                        ]
                    )  # fmt: skip
                ),
                rx.table.body(rx.foreach(A.entries, _entry_row)),
                width="100%",
                variant="surface",
                size="1",
            ),
            spacing="3",
            width="100%",
        ),
    )
