"""A lost PostgreSQL connection is retried once where that is harmless, else answered 503.

When PostgreSQL restarts, every connection a worker holds (persistent or pooled) is dead and
fails when next used. Three layers keep that from becoming a 500:

- the connections are checked before use (settings: CONN_HEALTH_CHECKS, the pool's `check`), so
  most requests never see a dead one;
- DatabaseRetryMiddleware: a view that failed on a broken connection is run once more on a fresh
  connection when that is harmless: GET/HEAD/OPTIONS, and views marked `db_retry_safe` (the scan
  endpoint: its nonce makes a repeat answer the first scan's result);
- anything else that fails on the database (a POST, a second failure, an error outside the view)
  gets a 503 with a translated "try again" message and Retry-After, never a 500 (server_error,
  the site's handler500).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("boju.degraded")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# SQLSTATE classes that mean "the connection is gone or the server is going away".
LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")
RETRY_AFTER_S = 2


def db_retry_safe(view):
    """Mark a non-GET view whose repetition is harmless (idempotent by design)."""
    view.db_retry_safe = True
    return view


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def connection_lost(error: BaseException) -> bool:
    if not is_database_unavailable(error):
        return False
    cause = error.__cause__ or error.__context__
    state = getattr(cause, "sqlstate", None) or ""
    if state.startswith(LOST_SQLSTATES):
        return True
    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        if raw is not None and (getattr(raw, "broken", False) or getattr(raw, "closed", False)):
            return True
    return isinstance(error, InterfaceError) or "closed" in str(error) or "terminat" in str(error)


def _reset_connections() -> None:
    """Drop every connection of this thread, so the next query opens (or borrows) a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:
            connection.connection = None


def unavailable_response(request) -> HttpResponse:
    message = _("服务暂时不可用（数据库连接中断），请稍后重试。您的操作可能没有保存，请刷新页面确认。")
    path = getattr(request, "path", "") or ""
    accept = request.META.get("HTTP_ACCEPT", "") if hasattr(request, "META") else ""
    if path.startswith("/api/") or "application/json" in accept:
        response = JsonResponse(
            {"result": "unavailable", "message": message}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # Standalone HTML: the base template's context processors would query the database again.
        title = _("请稍后重试")
        response = HttpResponse(
            f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<h1>{title}</h1><p>{message}</p></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseRetryMiddleware:
    """See the module docstring. Sync only, like the rest of the chain (config/middleware.py)."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        lost = connection_lost(exception)
        _reset_connections()
        match = getattr(request, "resolver_match", None)
        retryable = (
            match is not None
            and lost
            and not getattr(request, "_boju_db_retried", False)
            and (request.method in SAFE_METHODS or getattr(match.func, "db_retry_safe", False))
        )
        if retryable:
            request._boju_db_retried = True
            logger.warning("database connection lost during %s %s; retrying once", request.method, request.path)
            try:
                response = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response
            except Exception as again:
                if not is_database_unavailable(again):
                    raise
                _reset_connections()
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        return unavailable_response(request)


def server_error(request, *args, **kwargs):
    """handler500: a database outage outside the view (a middleware, the session save) is a
    503 "try again" as well; everything else is Django's plain 500 page."""
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        _reset_connections()
        return unavailable_response(request)
    from django.views.defaults import server_error as default

    return default(request, *args, **kwargs)
