from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb_core.jobs.listing import JOB_STATUSES, JobRow, TargetRow
from ecweb_core.permissions import DOWNLOAD
from ecweb_state.auth import AuthState
from ecweb_state.jobs import ANY, JobsState

HEADERS = [
    "ID",
    "処理",
    "登録者",
    "登録日時",
    "開始日時",
    "終了日時",
    "ステータス",
    "進捗",
    "結果",
    "ダウンロード",
    "操作",
]
STATUS_COLOR = (("done", "green"), ("failed", "red"), ("running", "blue"), ("cancelled", "orange"), "gray")
LINK = {"color": "var(--accent-11)", "font-size": "14px"}
NOWRAP = {"white_space": "nowrap"}


def _select(name: str, options: rx.Var | list[list[str]], value: rx.Var, width: str) -> rx.Component:
    items = (
        [rx.select.item(label, value=key) for key, label in options]
        if isinstance(options, list)
        else [rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))]
    )
    return rx.select.root(
        rx.select.trigger(id=f"jobs-{name}", width=width),
        rx.select.content(rx.select.item("すべて", value=ANY), *items),
        value=value,
        on_change=JobsState.set_filter(name),
        size="1",
    )


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), control, spacing="1")


def _filters() -> rx.Component:
    s = JobsState
    return rx.vstack(
        rx.hstack(
            _labelled("処理名", _select("f_kind", s.kinds, s.f_kind, "15em")),
            _labelled("ステータス", _select("f_status", [[k, v] for k, v in JOB_STATUSES.items()], s.f_status, "8em")),
            _labelled("登録者", _select("f_operator", s.operators, s.f_operator, "10em")),
            _labelled(
                "登録日",
                rx.hstack(
                    rx.input(value=s.f_from, on_change=s.set_filter("f_from"), placeholder="2026-01-01",
                             id="jobs-from", size="1", width="8.5em"),
                    rx.text("〜", size="1"),
                    rx.input(value=s.f_to, on_change=s.set_filter("f_to"), placeholder="2026-01-31",
                             id="jobs-to", size="1", width="8.5em"),
                    align="center",
                    spacing="1",
                ),
            ),
            rx.button("検索", size="1", id="jobs-search", on_click=s.search),
            rx.button("クリア", size="1", variant="soft", color_scheme="gray", id="jobs-clear", on_click=s.clear),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            s.errors.length() > 0,
            rx.vstack(rx.foreach(s.errors, lambda e: rx.text(e, size="2", color_scheme="red")),
                      spacing="1", id="jobs-errors"),
        ),
        rx.cond(s.notice != "", rx.text(s.notice, size="2", color_scheme="green", id="jobs-notice")),
        spacing="2",
        margin_bottom="0.75em",
    )  # fmt: skip


def _links(job: JobRow) -> rx.Component:
    return rx.vstack(
        rx.cond(
            job.rerun_of > 0,
            rx.link("#", job.rerun_of, " の再実行", href="/jobs?job=" + job.rerun_of.to_string(), size="1",
                    custom_attrs={"data-testid": "job-rerun-of"}),
        ),
        rx.foreach(
            job.reruns,
            lambda r: rx.link("再実行: #", r, href="/jobs?job=" + r.to_string(), size="1",
                              custom_attrs={"data-testid": "job-rerun-by"}),
        ),
        spacing="0",
    )  # fmt: skip


def _row(job: JobRow) -> rx.Component:
    s = JobsState
    return rx.table.row(
        rx.table.cell(job.id, style=NOWRAP),
        rx.table.cell(
            rx.text(job.kind, size="2", weight="medium", style=NOWRAP),
            rx.cond(
                job.params_text != "",
                rx.text(job.params_text, size="1", color_scheme="gray", custom_attrs={"data-testid": "job-params"}),
            ),
            _links(job),
            min_width="14em",
            max_width="24em",
        ),  # fmt: skip
        rx.table.cell(job.operator, style=NOWRAP),
        rx.table.cell(job.created_at, style=NOWRAP),
        rx.table.cell(job.started_at, style=NOWRAP),
        rx.table.cell(job.finished_at, style=NOWRAP),
        rx.table.cell(
            rx.badge(job.status_label, color_scheme=rx.match(job.status, *STATUS_COLOR)),
            custom_attrs={"data-testid": "job-status"},
            style=NOWRAP,
        ),
        rx.table.cell(
            rx.vstack(
                rx.progress(value=job.percent, max=100, size="1", width="100%"),
                rx.text(job.progress_text, size="1", style=NOWRAP, custom_attrs={"data-testid": "job-progress"}),
                spacing="1",
                width="100%",
            ),
            min_width="7em",
        ),
        rx.table.cell(
            rx.text(job.counts_text, size="1", style=NOWRAP, custom_attrs={"data-testid": "job-counts"}),
            rx.cond(job.error != "", rx.text(job.error, size="1", color_scheme="red")),
            rx.cond(
                job.report != "",
                rx.text(job.report, size="1", color_scheme="orange", custom_attrs={"data-testid": "job-report"}),
            ),
            # A long report wraps here instead of squeezing the other columns' headers.
            max_width="22em",
            style={"overflow_wrap": "anywhere"},
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
                    style={**LINK, "margin-right": "0.75em"},
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
                    style=LINK,
                ),
                rx.text("—", color_scheme="gray"),
            ),
            style=NOWRAP,
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    rx.cond(s.open_job == job.id, "閉じる", "詳細"),
                    size="1",
                    variant="soft",
                    on_click=s.toggle(job.id),
                    custom_attrs={"data-testid": "job-toggle"},
                ),
                rx.cond(
                    job.can_stop,
                    rx.button(
                        "中止",
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        on_click=s.stop(job.id),
                        custom_attrs={"data-testid": "job-stop"},
                    ),
                ),
                spacing="1",
            ),
            style=NOWRAP,
        ),  # fmt: skip
        custom_attrs={"data-testid": "job-row", "data-job-id": job.id},
        class_name=rx.cond(s.linked == job.id, "linked", ""),
    )


def _target(t: TargetRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(
                t.number != "",
                rx.link(t.number, href="/orders/" + t.order_id.to_string()),
                rx.text("(ID ", t.order_id, ")", color_scheme="gray"),
            ),
            style=NOWRAP,
        ),
        rx.table.cell(t.outcome, style=NOWRAP),
        rx.table.cell(t.message),
        custom_attrs={"data-testid": "job-target"},
    )


def _detail(job: JobRow) -> rx.Component:
    s = JobsState
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.text("失敗・スキップ・未処理の受注: ", s.targets_total.to_string(), "件",
                            size="2", weight="medium"),
                    rx.cond(
                        job.can_rerun,
                        rx.hstack(
                            # A disabled button gets no pointer events: the wrapper says why on hover.
                            rx.box(
                                rx.button("失敗分を再実行", size="1", on_click=s.rerun(job.id, False),
                                          disabled=job.failed == 0, custom_attrs={"data-testid": "job-rerun"}),
                                title=rx.cond(job.failed == 0, "失敗した受注はありません。", ""),
                                display="inline-block",
                            ),
                            rx.button("失敗分と未処理を再実行", size="1", variant="soft",
                                      on_click=s.rerun(job.id, True), custom_attrs={"data-testid": "job-rerun-all"}),
                            spacing="2",
                        ),
                    ),
                    spacing="4",
                    align="center",
                ),
                rx.cond(
                    s.targets_total > 0,
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, style=NOWRAP)
                                                       for h in ("受注番号", "結果", "理由")])),
                        rx.table.body(rx.foreach(s.targets, _target)),
                        size="1",
                        width="100%",
                    ),
                ),
                rx.cond(s.targets_total > s.targets.length(),
                        rx.text("最初の", s.targets.length(), "件を表示しています。すべては結果CSVでご確認ください。",
                                size="1", color_scheme="gray")),
                spacing="2",
                width="100%",
                padding="0.5em",
            ),
            col_span=len(HEADERS),
            background="var(--gray-2)",
        ),
        custom_attrs={"data-testid": "job-detail"},
    )  # fmt: skip


def _rows(job: JobRow) -> rx.Component:
    return rx.fragment(_row(job), rx.cond(JobsState.open_job == job.id, _detail(job)))


def jobs_page() -> rx.Component:
    s = JobsState
    return page_frame(
        "ジョブ管理",
        rx.text("「完了」はジョブが最後まで実行されたことを表します。受注ごとのエラー有無は結果CSVでご確認ください。",
                size="2", color_scheme="gray", margin_bottom="0.75em"),
        _filters(),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(h, style=NOWRAP) for h in HEADERS])
                ),
                rx.table.body(rx.foreach(s.jobs, _rows)),
                size="1",
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
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
