"""HTTP routes beside Reflex's: job file downloads, only for a logged-in operator (X1, J4)."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ecweb_core.auth import operator_for_token
from ecweb_core.db import session_scope
from ecweb_core.jobs.files import export_file, result_file
from ecweb_core.jobs.kinds import JOB_KINDS
from ecweb_core.models import Job
from ecweb_state.auth import COOKIE


async def job_result(request: Request) -> Response:
    job_id = int(request.path_params["job_id"])
    with session_scope() as s:
        if operator_for_token(s, request.cookies.get(COOKIE, "")) is None:
            return PlainTextResponse("ログインしてください。", status_code=401)
        job = s.get(Job, job_id)
        path = result_file(job) if job else None
    if path is None:
        return PlainTextResponse("ファイルが見つかりません。保存期間を過ぎた可能性があります。", status_code=404)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"job-{job_id}-result.csv")


async def job_export(request: Request) -> Response:
    """The file an export job produced (CSV一括出力 …), in the encoding the operator chose."""
    job_id = int(request.path_params["job_id"])
    with session_scope() as s:
        if operator_for_token(s, request.cookies.get(COOKIE, "")) is None:
            return PlainTextResponse("ログインしてください。", status_code=401)
        job = s.get(Job, job_id)
        path = export_file(job) if job else None
        kind = job.kind if job else ""
        encoding = json.loads(job.params or "{}").get("encoding", "utf-8") if job else "utf-8"
    if path is None:
        return PlainTextResponse("ファイルが見つかりません。保存期間を過ぎた可能性があります。", status_code=404)
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    name = f"{JOB_KINDS.get(kind, kind)}_{job_id}{path.suffix}"
    return FileResponse(path, media_type=f"text/csv; charset={charset}", filename=name)


api = Starlette(
    routes=[
        Route("/api/jobs/{job_id:int}/result.csv", job_result),
        Route("/api/jobs/{job_id:int}/export", job_export),
    ]
)
