"""What happened to one order in a job, a rule run or an outside call: (outcome, message)."""

from __future__ import annotations

Outcome = tuple[str, str | None]  # (ok | failed | skipped, a Japanese message or None)

# As the result CSV and ジョブ管理 show them; a target without an outcome was never processed.
OUTCOME_LABELS: dict[str, str] = {"ok": "成功", "failed": "失敗", "skipped": "スキップ"}
UNPROCESSED = "未処理"
