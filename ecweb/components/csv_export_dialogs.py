"""CSV一括出力 and アンケート結果CSV一括出力 dialogs (SPEC B2, B7): format, encoding, 出荷リスト出力用."""

from __future__ import annotations

import reflex as rx

from ecweb.components.job_dialog import job_dialog
from ecweb_core.csvexport.encoding import ENCODINGS
from ecweb_state.job_forms import CsvExportFormState as S


def _fields(kind: str, formats: rx.Var, with_shipping_list: bool) -> rx.Component:
    return rx.vstack(
        rx.text("CSVフォーマット", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder="フォーマットを選択してください", width="100%", id=f"{kind}-format"),
            rx.select.content(rx.foreach(formats, lambda f: rx.select.item(f[1], value=f[0]))),
            name="format_id",
        ),
        rx.link("CSV管理でフォーマットを作成・編集する", href="/settings/csv", size="1"),
        rx.text("出力する文字コードの選択", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%", id=f"{kind}-encoding"),
            rx.select.content(*[rx.select.item(label, value=key) for key, label in ENCODINGS.items()]),
            name="encoding",
            default_value="cp932",
        ),
        rx.text(
            "Shift_JISで表せない文字(一部の異体字・絵文字など)は「?」に置き換え、¥・—などは同等の全角文字にします。"
            "置き換えた文字はジョブ管理の結果に表示されます。",
            size="1",
            color_scheme="gray",
        ),
        *(
            [
                rx.hstack(
                    rx.checkbox(name="shipping_list", id="shipping-list"),
                    rx.text("出荷リスト出力用(出力した受注の出荷リストを「出力済」にします)", size="2"),
                    align="center",
                    spacing="2",
                )
            ]
            if with_shipping_list
            else [
                rx.text("検索条件に「パーソナライズ」を指定した場合のみ実行できます。", size="2", color_scheme="orange")
            ]
        ),
        spacing="2",
        width="100%",
    )


def csv_export_dialog() -> rx.Component:
    return job_dialog(
        "csv_export",
        "選択した受注をCSVフォーマットに従って出力します。CSVはジョブ管理画面からダウンロードできます。",
        _fields("csv_export", S.order_formats, True),
        "この内容で出力する",
    )


def survey_csv_dialog() -> rx.Component:
    return job_dialog(
        "survey_csv",
        "選択した受注のアンケート(1d-color)の回答をCSVで出力します。CSVはジョブ管理画面からダウンロードできます。",
        _fields("survey_csv", S.survey_formats, False),
        "この内容で出力する",
    )
