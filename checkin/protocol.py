"""The scan API's wire format, shared by the Django views and the PostgreSQL fast lane.

One place says what a well-formed scan is, which HTTP status each `result` gets and what the
person at the door reads, so both ways into a scan answer byte for byte the same.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from .errors import MESSAGES

SCAN_BODY_MAX = 4 * 1024
SYNC_BODY_MAX = 512 * 1024
SYNC_ITEMS_MAX = 1000
GATE_MAX = 40
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
STATUS = {
    "ok": 200,
    "reentry": 200,
    "already_checked_in": 409,
    "invalid": 400,
    "wrong_event": 403,
    "cancelled": 410,
    "not_open": 403,
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "too_large": 413,
    "no_list": 404,
    "pairing_invalid": 400,
    "method_not_allowed": 405,
    "unavailable": 503,
    "nonce_reused": 409,
    "rate_limited": 429,
}


def result_message(result: str) -> str:
    """What the scanner shows for `result`, in the active language."""
    if result in MESSAGES:
        return str(MESSAGES[result])
    return {
        "ok": gettext("签到成功"),
        "unauthorized": gettext("请先配对设备或登录"),
        "too_large": gettext("请求过大"),
        "method_not_allowed": gettext("请求方式错误"),
        "unavailable": gettext("服务暂时不可用，请稍后重试"),
        "nonce_reused": gettext("该请求编号已用于另一张票，请重新扫码"),
        "rate_limited": gettext("手动输入票号过于频繁，请稍后再试"),
    }.get(result, result)


def result_status(result: str) -> int:
    return STATUS.get(result, 400)


def scan_item_parse(data) -> dict | None:
    """A validated scan {code, gate, nonce, scanned_at, list}, or None for the wrong shape."""
    if not isinstance(data, dict):
        return None
    code, gate, nonce = data.get("code"), data.get("gate", ""), data.get("nonce")
    scanned_at, list_id, event_id = data.get("scanned_at"), data.get("list"), data.get("event")
    if not isinstance(code, str) or not isinstance(gate, str) or not isinstance(nonce, str):
        return None
    # A NUL cannot be stored in a PostgreSQL text column: refused here, not by the database.
    if not NONCE_RE.match(nonce) or len(gate) > GATE_MAX or "\x00" in gate or "\x00" in code:
        return None
    when: datetime | None = None
    if scanned_at is not None:
        if not isinstance(scanned_at, str):
            return None
        try:
            when = parse_datetime(scanned_at)
        except ValueError:
            return None
        if when is None or timezone.is_naive(when):
            return None
    for number in (list_id, event_id):
        if number is not None and (not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31):
            return None
    # "event": the scanner's chosen event, where a typed short ticket number is looked up.
    return {"code": code, "gate": gate.strip(), "nonce": nonce, "scanned_at": when, "list": list_id, "event": event_id}
