"""Every refusal of the API is JSON: {"code": ..., "message": ..., "errors": [...]?}.

Services raise their app's error with a machine `code` (DESIGN §5.3); here the code keeps its
name, the message is translated, and the status comes from the error (or 400).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from pydantic import BaseModel as Schema

from events.services.errors import ServiceError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[dict[str, Any]] | None = None


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, errors: list | None = None):
        super().__init__(code)
        self.code, self.message, self.status, self.errors = code, message, status, errors


def not_found() -> ApiError:
    # The same answer for "does not exist" and "not yours": a guesser learns nothing.
    return ApiError("not_found", _("未找到。"), 404)


def _body(code: str, message: str, errors: list | None = None) -> dict:
    body = {"code": code, "message": str(message)}
    if errors is not None:
        body["errors"] = errors
    return body


def _json(data: dict, status: int, **headers) -> HttpResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _plain_errors(errors: list) -> list[dict[str, Any]]:
    """Pydantic's error list without `ctx`/`input`, which may hold objects JSON cannot carry."""
    return [
        {"loc": [str(part) for part in e.get("loc", [])], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors
        if isinstance(e, dict)
    ]


def install(api) -> None:
    """Register the handlers that turn every exception into an ErrorOut on `api`."""

    def api_error(request: HttpRequest, exc: ApiError):
        return _json(_body(exc.code, exc.message, exc.errors), exc.status)

    def service_error(request: HttpRequest, exc: ServiceError):
        status = getattr(exc, "status_code", None) or exc.status
        if exc.code == "forbidden":
            status = 403
        return _json(_body(exc.code, exc.message), status)

    def validation_error(request: HttpRequest, exc: ValidationError):
        return _json(_body("invalid", _("请求参数有误。"), _plain_errors(exc.errors)), 422)

    def throttled(request: HttpRequest, exc: Throttled):
        wait = max(1, int(getattr(request, "_api_retry_after", None) or exc.wait or 1))
        return _json(_body("rate_limited", _("请求过于频繁，请稍后再试。")), 429, Retry_After=str(wait))

    def http_error(request: HttpRequest, exc: HttpError):
        if isinstance(exc, AuthenticationError):
            return _json(_body("unauthorized", _("请提供有效的接口令牌（Authorization: Bearer …）。")), 401)
        if isinstance(exc, AuthorizationError):
            return _json(_body("forbidden", _("您没有权限进行此操作。")), 403)
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return _json(_body(codes.get(exc.status_code, "error"), str(exc)), exc.status_code)

    def missing(request: HttpRequest, exc: Exception):
        return api_error(request, not_found())

    def unexpected(request: HttpRequest, exc: Exception):
        logger.exception("API error on %s", request.path)
        return _json(_body("server_error", _("服务器内部错误，请稍后再试。")), 500)

    api.add_exception_handler(Exception, unexpected)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(Http404, missing)
    api.add_exception_handler(ObjectDoesNotExist, missing)
    api.add_exception_handler(ServiceError, service_error)
    api.add_exception_handler(ApiError, api_error)


def json_not_found(request, *args, **kwargs) -> HttpResponse:
    """Any other path under /api/v1/: JSON too, not the site's HTML 404 page."""
    return _json(_body("not_found", _("没有这个接口。")), 404)


# Responses every operation may give, for the schema (status -> body).
COMMON = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut}
AUTHED = {**COMMON, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
