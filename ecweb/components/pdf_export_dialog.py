"""PDF一括出力 dialog (seed: 帳票の種類と発行日を選択し「この内容で作成する」), with a preview."""

from __future__ import annotations

import reflex as rx

from ecweb.components.job_dialog import job_dialog
from ecweb_state.pdf_export import PdfExportFormState as S


def _preview() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                "プレビュー(最初の受注 ", S.preview_number,
                rx.cond(S.preview_pages > 1, rx.text.span("・全", S.preview_pages, "ページ中1ページ目"), ""), ")",
                size="2", weight="bold",
            ),
            rx.spacer(),
            rx.button("更新", type="button", size="1", variant="ghost", on_click=S.refresh_preview, id="pdf-refresh"),
            width="100%",
        ),
        rx.cond(
            S.preview_error != "",
            rx.text(S.preview_error, size="2", color_scheme="red", id="pdf-preview-error"),
            rx.vstack(
                rx.cond(S.preview_note != "", rx.text(S.preview_note, size="1", color_scheme="orange",
                                                      id="pdf-preview-note")),
                rx.box(
                    rx.image(src=S.preview_image, width="100%", alt="プレビュー", id="pdf-preview-image"),
                    max_height="420px",
                    overflow_y="auto",
                    border="1px solid var(--gray-6)",
                    background="white",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
        ),
        background="var(--gray-2)",
        border="1px solid var(--gray-5)",
        border_radius="6px",
        padding="0.75em",
        width="100%",
        id="pdf-preview",
    )  # fmt: skip


def pdf_export_dialog() -> rx.Component:
    fields = rx.vstack(
        rx.text("帳票の種類", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(placeholder="帳票を選択してください", width="100%", id="pdf-template"),
            rx.select.content(rx.foreach(S.template_options, lambda o: rx.select.item(o[1], value=o[0]))),
            value=S.template_id,
            on_change=S.choose_template,
        ),
        rx.link("受注帳票管理で帳票を作成・編集する", href="/settings/order-documents", size="1"),
        rx.text("発行日", size="2", weight="medium"),
        rx.input(
            value=S.issue_date,
            on_change=S.set_issue_date,
            on_blur=S.refresh_preview,
            name="issue_date",
            id="pdf-issue-date",
            placeholder="2026-01-31",
            width="12em",
        ),
        _preview(),
        spacing="2",
        width="100%",
        on_mount=S.prepare,  # the dialog's content mounts each time it opens
    )
    return job_dialog(
        "pdf_export",
        "選択した受注の帳票を1つのPDFに出力します(受注ごとに1ページ、一覧の並び順)。PDFはジョブ管理画面からダウンロードできます。",
        fields,
        "この内容で作成する",
        max_width="760px",
        on_submit=S.submit_pdf,
    )
