from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb_core.jobs.listing import JobRow
from ecweb_core.permissions import DOWNLOAD
from ecweb_state.auth import AuthState
from ecweb_state.jobs import JobsState

HEADERS = ["ID", "処理", "登録者", "登録日時", "開始日時", "終了日時", "ステータス", "進捗", "結果", "ダウンロード"]
STATUS_COLOR = (("done", "green"), ("failed", "red"), ("running", "blue"), "gray")


def _row(job: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(job.id),
        rx.table.cell(job.kind),
        rx.table.cell(job.operator),
        rx.table.cell(job.created_at),
        rx.table.cell(job.started_at),
        rx.table.cell(job.finished_at),
        rx.table.cell(
            rx.badge(job.status_label, color_scheme=rx.match(job.status, *STATUS_COLOR)),
            custom_attrs={"data-testid": "job-status"},
        ),
        rx.table.cell(
            rx.vstack(
                rx.progress(value=job.percent, max=100, size="1", width="100%"),
                rx.text(job.done, " / ", job.total, size="1", custom_attrs={"data-testid": "job-progress"}),
                spacing="1",
                width="100%",
            )
        ),
        rx.table.cell(
            rx.text(
                "成功 ",
                job.succeeded,
                " / 失敗 ",
                job.failed,
                " / スキップ ",
                job.skipped,
                size="1",
                custom_attrs={"data-testid": "job-counts"},
            ),
            rx.cond(job.error != "", rx.text(job.error, size="1", color_scheme="red")),
            rx.cond(
                job.report != "",
                rx.text(job.report, size="1", color_scheme="orange", custom_attrs={"data-testid": "job-report"}),
            ),
        ),
        rx.table.cell(
            rx.cond(
                job.has_export & AuthState.granted.contains(DOWNLOAD),
                rx.el.a(
                    job.export_label,
                    href="/api/jobs/" + job.id.to_string() + "/export",
                    download="",
                    target="_blank",
                    custom_attrs={"data-testid": "job-export"},
                    style={"color": "var(--accent-11)", "font-size": "14px", "margin-right": "0.75em"},
                ),
            ),
            rx.cond(
                job.has_result & AuthState.granted.contains(DOWNLOAD),
                # A plain anchor: the file comes from the backend route, not a client-side page.
                rx.el.a(
                    "結果CSV",
                    href="/api/jobs/" + job.id.to_string() + "/result.csv",
                    download="",
                    target="_blank",  # React Router leaves such anchors to the browser
                    custom_attrs={"data-testid": "job-result"},
                    style={"color": "var(--accent-11)", "font-size": "14px"},
                ),
                rx.text("—", color_scheme="gray"),
            ),
        ),
        custom_attrs={"data-testid": "job-row"},
    )


def jobs_page() -> rx.Component:
    s = JobsState
    return page_frame(
        "ジョブ管理",
        rx.text("「完了」はジョブが最後まで実行されたことを表します。受注ごとのエラー有無は結果CSVでご確認ください。",
                size="2", color_scheme="gray", margin_bottom="0.75em"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h) for h in HEADERS]
                )
            ),
            rx.table.body(rx.foreach(s.jobs, _row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        rx.cond(s.total == 0, rx.center(rx.text("ジョブはまだありません。", color_scheme="gray"), padding="2em")),
        rx.hstack(
            rx.button("前へ", size="1", variant="soft", disabled=s.page <= 1, on_click=s.go_to_page(s.page - 1)),
            rx.text(s.page, " / ", s.page_count, " ページ", size="2"),
            rx.button("次へ", size="1", variant="soft", disabled=s.page >= s.page_count,
                      on_click=s.go_to_page(s.page + 1)),
            justify="end",
            align="center",
            margin_top="0.75em",
        ),
    )  # fmt: skip
