"""設定 > CSV管理: CSV formats for CSV一括出力 and アンケート結果CSV一括出力."""

from __future__ import annotations

import reflex as rx

from ecweb.components.delete_confirm import delete_confirm
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb_core.csvexport.formats import PURPOSES, UNITS
from ecweb_state.csv_settings import ColumnItem, CsvSettingsState, FormatItem

S = CsvSettingsState
HEADERS = ["フォーマット名", "用途", "出力単位", "項目数", "更新日時", ""]


def _format_row(f: FormatItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(f.name, custom_attrs={"data-testid": "format-name"}),
        rx.table.cell(f.purpose_label),
        rx.table.cell(f.unit_label),
        rx.table.cell(f.column_count),
        rx.table.cell(f.updated_at),
        rx.table.cell(
            rx.hstack(
                rx.button("編集", size="1", variant="soft", on_click=S.edit_format(f.id)),
                rx.button("コピー", size="1", variant="soft", on_click=S.copy_format(f.id)),
                rx.button("削除", size="1", variant="soft", color_scheme="red", on_click=S.ask_delete(f.id, f.name)),
                spacing="2",
            )
        ),
        custom_attrs={"data-testid": "format-row"},
    )


def _column_row(c: ColumnItem, i: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(i + 1, size="1", color_scheme="gray", width="24px"),
        rx.text(c.group, ": ", c.default_label, size="2", width="220px", overflow="hidden", white_space="nowrap"),
        rx.input(
            value=c.label,
            on_change=lambda v: S.set_label(i, v),
            size="1",
            width="220px",
            placeholder="見出し",
            custom_attrs={"data-testid": "column-label"},
        ),
        rx.icon_button(rx.icon("arrow_up"), size="1", variant="ghost", on_click=S.move_column(i, -1)),
        rx.icon_button(rx.icon("arrow_down"), size="1", variant="ghost", on_click=S.move_column(i, 1)),
        rx.icon_button(rx.icon("x"), size="1", variant="ghost", color_scheme="red", on_click=S.remove_column(i)),
        align="center",
        spacing="2",
        custom_attrs={"data-testid": "format-column"},
    )


def _choice(label: str, control: rx.Component) -> rx.Component:
    return rx.grid(
        rx.text(label, size="2", weight="medium", padding_top="4px"),
        control,
        columns="120px 1fr",
        spacing="2",
        width="100%",
    )


def _select(options: dict[str, str], value: rx.Var, on_change: rx.EventHandler, element_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="260px", id=element_id),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in options.items()]),
        value=value,
        on_change=on_change,
        size="2",
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.edit_id == 0, "CSVフォーマットの新規作成", "CSVフォーマットの編集")),
            rx.vstack(
                _choice("フォーマット名", rx.input(value=S.name, on_change=S.set_name, id="format-name", width="100%")),
                _choice("用途", _select(PURPOSES, S.purpose, S.set_purpose, "format-purpose")),
                _choice("出力単位", _select(UNITS, S.unit, S.set_unit, "format-unit")),
                rx.text("出力項目(上から順に左の列になります)", size="2", weight="medium"),
                rx.box(
                    rx.vstack(rx.foreach(S.columns, _column_row), spacing="1"),
                    rx.cond(
                        S.columns.length() == 0,
                        rx.text("まだ項目がありません。下から追加してください。", size="2", color_scheme="gray"),
                    ),
                    max_height="40vh",
                    overflow_y="auto",
                    width="100%",
                    padding="0.5em",
                    border="1px solid var(--gray-5)",
                    border_radius="6px",
                ),
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(placeholder="追加する項目を選択", width="340px", id="add-column-select"),
                        rx.select.content(rx.foreach(S.available, lambda a: rx.select.item(a[1], value=a[0]))),
                        value=S.add_key,
                        on_change=S.set_add_key,
                        size="1",
                    ),
                    rx.button("項目を追加", size="1", on_click=S.add_column, id="add-column"),
                    spacing="2",
                ),
                form_errors(S.errors, "format-errors"),
                rx.hstack(
                    rx.dialog.close(rx.button("キャンセル", variant="soft", color_scheme="gray")),
                    rx.button("この内容で保存する", on_click=S.save, id="save-format"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="0.75em",
            ),
            max_width="760px",
            max_height="92vh",
            overflow_y="auto",
        ),
        open=S.editing,
        on_open_change=S.close_editor,
    )


def csv_settings_page() -> rx.Component:
    return page_frame(
        "CSV管理",
        rx.hstack(
            rx.text(
                "CSV一括出力・アンケート結果CSV一括出力で使うフォーマットです。出力項目と並び順、見出しを設定できます。",
                size="2",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.button("新規作成", on_click=S.new_format, id="new-format"),
            width="100%",
            align="center",
            margin_bottom="0.75em",
        ),
        rx.cond(
            S.message != "",
            rx.callout.root(rx.callout.text(S.message), color_scheme="green", size="1", margin_bottom="0.75em",
                            id="format-message"),
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])
            ),
            rx.table.body(rx.foreach(S.formats, _format_row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        _editor(),
        delete_confirm("CSVフォーマットの削除", S),
    )  # fmt: skip
