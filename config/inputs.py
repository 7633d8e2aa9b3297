"""Reading untrusted input without a 500: numbers, `next` links, JSON bodies, NUL characters.

Each helper answers "not valid" (None / ValueError) where the naive code raised deep inside:
`"²".isdigit()` is True but `int("²")` fails; a 20-digit id overflows PostgreSQL's bigint; a
`next` of "foo" made redirect() look up a URL name; 4 KB of "[" made json.loads raise
RecursionError; a NUL character reached PostgreSQL, which cannot store it in text.
"""

from __future__ import annotations

import json
import re

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

_ASCII_INT = re.compile(r"^[0-9]{1,18}$")  # 18 digits always fit a bigint
BIGINT_MAX = 2**63 - 1


def int_param(value, *, minimum: int = 1, maximum: int = BIGINT_MAX) -> int | None:
    """`value` as an int in [minimum, maximum] if it is plain ASCII digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _ASCII_INT.match(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def int_list_param(value: str, *, limit: int = 20) -> list[int]:
    """ "1,2,x,3" -> [1, 2, 3]: the valid ids of a comma-separated list, at most `limit`."""
    numbers = (int_param(part) for part in (value or "").split(",")[: limit * 4])
    return [n for n in numbers if n is not None][:limit]


def safe_next(request: HttpRequest, fallback: str = "") -> str:
    """The local path in POST/GET `next`, or `fallback`: never another site, never a bare word
    (redirect() would try it as a URL name and fail)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\x00" not in target
        and "\\" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def has_nul(value) -> bool:
    """True if a NUL character is anywhere in `value` (strings, dict keys and values, lists)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(item) for item in value)
    return False


def json_loads(data: bytes | str):
    """json.loads for untrusted input. Raises ValueError for: not UTF-8, not JSON, nested so deep
    that the parser recurses too far (4 KB of "[" is enough), or a NUL character anywhere.

    Strict JSON has no raw control characters in strings, so a NUL can only arrive as the escape
    \\u0000: the parsed value is walked only when that text occurs (the scan's hot path).
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("not UTF-8") from None
    if "\x00" in data:
        raise ValueError("NUL character in JSON")
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if "\\u0000" in data and has_nul(value):  # the walk only when the escape may be there
        raise ValueError("NUL character in JSON")
    return value


def request_json(request: HttpRequest, default: bytes = b"{}"):
    """The request's JSON body via json_loads(). Raises ValueError also when the body cannot be
    read as raw bytes any more: a multipart POST whose form was parsed first (CSRF does that)."""
    from django.http.request import RawPostDataException

    try:
        body = request.body
    except RawPostDataException:
        raise ValueError("not a JSON body") from None
    return json_loads(body or default)
