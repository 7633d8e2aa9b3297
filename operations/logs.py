"""One request id from nginx to the last log line of the Celery tasks the request started.

nginx sets `X-Request-ID` ($request_id, 32 hex characters) on every request it passes on. The
middleware below keeps it (or makes one when there is no proxy, or when the header is not a
plausible id) in a context variable for the request, and answers with it. Every log record
gets it (RequestIdFilter), so the JSON log lines of one request can be found by it.

Celery: a task published while the variable is set carries the id in a message header
(`boju_request_id`); in the worker, the task's run sets the variable from that header, so the
task's log lines, and the tasks it starts in turn, carry the same id.

The variable is a ContextVar, not a thread-local: under ASGI a request's sync code runs in a
thread that asgiref gives a copy of the request's context, and Celery's prefork children run
one task at a time.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("boju_request_id", default="")
HEADER = "boju_request_id"
_VALID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_get() -> str:
    return REQUEST_ID.get()


class RequestIdMiddleware:
    """Outermost Django middleware: the request's id in REQUEST_ID and in the response header."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


def request_id_from(given: str) -> str:
    """The client's X-Request-ID if it is well formed, else a new one."""
    return given if _VALID.fullmatch(given) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and in a worker `task_id`, `task_name`) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = REQUEST_ID.get()
        task = _TASK.get()
        if task and not hasattr(record, "task_id"):
            record.task_id, record.task_name = task
        return True


_TASK: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("boju_task", default=None)
_TOKENS: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}


def _before_publish(headers=None, **kwargs):
    request_id = REQUEST_ID.get()
    if request_id and headers is not None and HEADER not in headers:
        headers[HEADER] = request_id


def _prerun(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER) or ""
    _TOKENS[task_id] = (REQUEST_ID.set(request_id), _TASK.set((task_id, task.name)))


def _postrun(task_id=None, **kwargs):
    tokens = _TOKENS.pop(task_id, None)
    if tokens:
        REQUEST_ID.reset(tokens[0])
        _TASK.reset(tokens[1])


def celery_signals_connect() -> None:
    from celery import signals

    signals.before_task_publish.connect(_before_publish, weak=False, dispatch_uid="boju_request_id_publish")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="boju_request_id_prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="boju_request_id_postrun")


def logging_config(*, json_lines: bool, level: str) -> dict:
    """settings.LOGGING: JSON lines (python-json-logger) in production, plain text otherwise."""
    # "time": ISO 8601 in UTC with its offset (asctime would be the process's local time, Asia/Shanghai
    # under Django, without saying so).
    fields = "%(levelname)s %(name)s %(message)s %(request_id)s"
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": fields,
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger"},
        }
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "operations.logs.RequestIdFilter"}},
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        # Daphne's runserver logs each request on "django.channels.server", below Django's "django"
        # logger, whose own console handler (DEBUG only) would print it before the root handler did:
        # one handler, no propagation, each line once.
        "loggers": {"django.channels.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }
