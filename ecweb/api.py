"""HTTP routes beside Reflex's: job file downloads (X1, J4) and login / logout, the only places the
session cookie is set, as an HttpOnly (and, behind HTTPS, Secure) cookie of an HTTP response (issue 20).

A download needs a session, the permission to download customer data and the permission of the
job's kind (ecweb_core/jobs/downloads.py decides); every served file is written to the 操作ログ."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ecweb_core import audit
from ecweb_core import auth as core_auth
from ecweb_core.auth import operator_for_token
from ecweb_core.db import session_scope
from ecweb_core.jobs.downloads import Download, export_download, job_for_download, log_download, result_download
from ecweb_core.permissions import PermissionDenied
from ecweb_state.auth import COOKIE

NOT_FOUND = "ファイルが見つかりません。保存期間を過ぎた可能性があります。"


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


async def login(request: Request) -> Response:
    """The login form's POST: the cookie on success, back to the form with a fixed error code otherwise."""
    form = await request.form()
    login_name, password = str(form.get("login") or "").strip(), str(form.get("password") or "")
    if not login_name or not password:
        return RedirectResponse("/login?error=empty", status_code=303)
    audit.client_address.set(_address(request))
    policy = core_auth.Policy.from_env()
    with session_scope() as s:
        result = core_auth.attempt_login(s, login_name, password, policy)
    if result.token is None:
        return RedirectResponse(f"/login?error={result.error_code}", status_code=303)
    # To the index, whose page guard sends the tab on to /orders client-side (a full load of /orders
    # would be answered by the static export's /orders/).
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, result.token, max_age=policy.session_days * 86400, path="/", httponly=True,
                        samesite="strict", secure=_https(request))  # fmt: skip
    return response


async def logout(request: Request) -> Response:
    """Ends the session (if the 「ログアウト」 handler has not already) and clears the cookie."""
    if token := request.cookies.get(COOKIE, ""):
        audit.client_address.set(_address(request))
        with session_scope() as s:
            core_auth.logout(s, token)
    response = RedirectResponse("/", status_code=303)  # the index's guard goes on to /login
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


def _serve(request: Request, export: bool) -> Response:
    audit.client_address.set(_address(request))
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
        Route("/api/login", login, methods=["POST"]),
        Route("/api/logout", logout, methods=["GET", "POST"]),
    ]
)
