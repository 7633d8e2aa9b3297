"""Small helpers of the competitions views."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _lazy

from ..errors import CompetitionError


def pk_of(value) -> int:
    """A primary key from a form: anything but plain ASCII digits is 0 (found by nobody, a 404)."""
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


def date_of(value) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise CompetitionError("invalid", detail=_lazy("日期（YYYY-MM-DD）")) from None


def lines(value) -> list[str]:
    return [
        line.strip() for line in str(value or "").replace("，", "\n").replace(",", "\n").splitlines() if line.strip()
    ]
