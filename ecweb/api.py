"""HTTP routes beside Reflex's: job file downloads (X1, J4) and the session cookie (issue 20).

A download needs a session, the permission to download customer data and the permission of the
job's kind (ecweb_core/jobs/downloads.py decides); every served file is written to the 操作ログ."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ecweb_core import audit
from ecweb_core.auth import operator_for_token
from ecweb_core.db import session_scope
from ecweb_core.jobs.downloads import Download, export_download, job_for_download, log_download, result_download
from ecweb_core.permissions import PermissionDenied
from ecweb_state.auth import COOKIE

NOT_FOUND = "ファイルが見つかりません。保存期間を過ぎた可能性があります。"


def _serve(request: Request, export: bool) -> Response:
    audit.client_address.set(request.client.host if request.client else "")
    with session_scope() as s:
        op = operator_for_token(s, request.cookies.get(COOKIE, ""))
        if op is None or op.id is None:
            return PlainTextResponse("ログインしてください。", status_code=401)
        try:
            job = job_for_download(s, op.id, int(request.path_params["job_id"]))
        except PermissionDenied as e:
            return PlainTextResponse(str(e), status_code=403)
        if job is None:
            return PlainTextResponse(NOT_FOUND, status_code=404)
        download: Download | None = export_download(s, job) if export else result_download(job)
        if download is None:
            return PlainTextResponse(NOT_FOUND, status_code=404)
        log_download(s, op.id, job, download)
    return FileResponse(download.path, media_type=download.media_type, filename=download.file_name)


async def job_result(request: Request) -> Response:
    return _serve(request, export=False)


async def job_export(request: Request) -> Response:
    """The file an export job produced (CSV一括出力 …), in its own media type."""
    return _serve(request, export=True)


api = Starlette(
    routes=[
        Route("/api/jobs/{job_id:int}/result.csv", job_result),
        Route("/api/jobs/{job_id:int}/export", job_export),
    ]
)
