"""Cursor (keyset) pagination: `?limit=&cursor=` in, `{"items": [...], "next_cursor": ...}` out.

The cursor is the sort key of the last row sent, base64url JSON, opaque to clients. The next
page is a WHERE on that key, so it costs the same at row 50 as at row 50,000, stays right
while rows are added, and needs no COUNT.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from pydantic import BaseModel as Schema
from pydantic import create_model

from .errors import ApiError

LIMIT_DEFAULT = 50
LIMIT_MAX = 200
CURSOR_MAX = 500


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a page of `item`."""
    return create_model(
        f"{item.__name__}Page", __base__=Schema, items=(list[item], ...), next_cursor=(str | None, None)
    )


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, (datetime, date)) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _bad_cursor() -> ApiError:
    return ApiError("invalid_cursor", _("分页游标无效，请从第一页重新开始。"), 400)


def _decode(cursor: str, model, keys: list[tuple[str, bool]]) -> list[Any]:
    if len(cursor) > CURSOR_MAX:
        raise _bad_cursor()
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise _bad_cursor() from None
    if not isinstance(raw, list) or len(raw) != len(keys):
        raise _bad_cursor()
    values = []
    for (name, _desc), value in zip(keys, raw):
        if not isinstance(value, (str, int)) or isinstance(value, bool) or (isinstance(value, str) and "\x00" in value):
            raise _bad_cursor()
        field = model._meta.get_field(name.split("__")[0])
        try:
            parsed = field.to_python(value)
        except Exception:
            raise _bad_cursor() from None
        if isinstance(parsed, int) and not -(2**63) < parsed < 2**63:
            raise _bad_cursor()
        values.append(parsed)
    return values


def _after(keys: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order `keys` ((field, descending) pairs)."""
    condition = Q(pk__in=[])
    for i, (name, descending) in enumerate(keys):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        for earlier, value in zip(keys[:i], values[:i]):
            step &= Q(**{earlier[0]: value})
        condition |= step
    return condition


def _keys(order: tuple[str, ...]) -> list[tuple[str, bool]]:
    return [(name.lstrip("-"), name.startswith("-")) for name in order]


def paginate(
    queryset: QuerySet,
    *,
    order: tuple[str, ...],
    limit: int,
    cursor: str | None,
    serialize: Callable[[Any], Any] | None = None,
    prepare: Callable[[list], None] | None = None,
) -> dict:
    """One page of `queryset` in `order` (whose last field must be unique, e.g. "id").

    `prepare(rows)` may attach data fetched in bulk for the page (one query, whatever the page size).
    """
    keys = _keys(order)
    if cursor:
        queryset = queryset.filter(_after(keys, _decode(cursor, queryset.model, keys)))
    rows = list(queryset.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if prepare is not None and rows:
        prepare(rows)
    next_cursor = _encode([_value(rows[-1], name) for name, _d in keys]) if more else None
    items = [serialize(row) for row in rows] if serialize else rows
    return {"items": items, "next_cursor": next_cursor}


def _value(row, name: str):
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value


def paginate_list(
    rows: list,
    *,
    key: Callable[[Any], tuple],
    limit: int,
    cursor: str | None,
    serialize: Callable[[Any], Any] | None = None,
) -> dict:
    """The same contract over a list already in `key` order (small lists built by a selector)."""
    if cursor:
        if len(cursor) > CURSOR_MAX:
            raise _bad_cursor()
        try:
            after = tuple(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))))
        except (ValueError, TypeError):
            raise _bad_cursor() from None
        try:
            rows = [row for row in rows if tuple(key(row)) > after]
        except TypeError:
            raise _bad_cursor() from None
    page, more = rows[:limit], len(rows) > limit
    return {
        "items": [serialize(r) for r in page] if serialize else page,
        "next_cursor": _encode(list(key(page[-1]))) if more else None,
    }
