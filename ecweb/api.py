"""HTTP routes beside Reflex's: job file downloads, only for a logged-in operator (X1, J4)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ecweb_core.auth import operator_for_token
from ecweb_core.db import session_scope
from ecweb_core.jobs.downloads import Download, export_download, result_download
from ecweb_core.models import Job
from ecweb_state.auth import COOKIE

NOT_FOUND = "ファイルが見つかりません。保存期間を過ぎた可能性があります。"


def _job(request: Request) -> Job | Response:
    """The job of the URL, for a logged-in operator; otherwise the response to send instead."""
    with session_scope() as s:
        if operator_for_token(s, request.cookies.get(COOKIE, "")) is None:
            return PlainTextResponse("ログインしてください。", status_code=401)
        job = s.get(Job, int(request.path_params["job_id"]))
    return job if job is not None else PlainTextResponse(NOT_FOUND, status_code=404)


def _send(download: Download | None) -> Response:
    if download is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    return FileResponse(download.path, media_type=download.media_type, filename=download.file_name)


async def job_result(request: Request) -> Response:
    job = _job(request)
    return job if isinstance(job, Response) else _send(result_download(job))


async def job_export(request: Request) -> Response:
    """The file an export job produced (CSV一括出力 …), in its own media type."""
    job = _job(request)
    if isinstance(job, Response):
        return job
    with session_scope() as s:
        return _send(export_download(s, job))


api = Starlette(
    routes=[
        Route("/api/jobs/{job_id:int}/result.csv", job_result),
        Route("/api/jobs/{job_id:int}/export", job_export),
    ]
)
