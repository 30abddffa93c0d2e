from __future__ import annotations

# kind -> 処理名 as the System Notification and ジョブ管理 show it (SPEC J2).
JOB_KINDS: dict[str, str] = {
    "bulk_update": "一括更新",
    "csv_export": "CSV一括出力",
    "pdf_export": "PDF一括出力",
    "dunning": "一括督促",
    "mail": "メール一括通知",
    "payment": "決済状況一括変更",
    "survey_csv": "アンケート結果CSV一括出力",
}

JOB_STATUSES: dict[str, str] = {"registered": "登録済", "running": "実行中", "done": "完了", "failed": "失敗"}
OUTCOMES: dict[str, str] = {"ok": "成功", "failed": "失敗", "skipped": "スキップ"}


def registered_message(kind: str) -> str:
    return f"受注 {JOB_KINDS[kind]} を登録しました。"


def done_message(kind: str) -> str:
    return f"受注 {JOB_KINDS[kind]} を完了しました。"


def failed_message(kind: str) -> str:
    return f"受注 {JOB_KINDS[kind]} に失敗しました。ジョブ管理画面をご確認ください。"


JOBS_QUEUE = "jobs"


def actor_name(kind: str) -> str:
    """The Dramatiq actor that runs a kind; the app sends by this name without importing workers."""
    return f"job_{kind}"
