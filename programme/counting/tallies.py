"""Counters: (series, metric, key) -> value, added to with one upsert statement."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from django.db import connection

from ..models import Tally

QINGDAO = ZoneInfo("Asia/Shanghai")

Deltas = Counter  # (series_id, metric, key) -> change


def month_of(moment) -> str:
    """YYYY-MM of a datetime in Asia/Shanghai, or of a date."""
    if hasattr(moment, "astimezone"):
        moment = moment.astimezone(QINGDAO)
    return f"{moment.year:04d}-{moment.month:02d}"


def tallies_add(deltas: Deltas) -> None:
    """Apply the changes in one statement. An upsert that adds (not a read, then a write), so
    two transactions adding to the same counter both count, on PostgreSQL and SQLite alike."""
    rows = [(series, metric, str(key), value) for (series, metric, key), value in deltas.items() if value]
    if not rows:
        return
    table = Tally._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [item for row in sorted(rows) for item in row]  # sorted: a fixed lock order
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series_id, metric, key, value) VALUES {values} "
            f"ON CONFLICT (series_id, metric, key) DO UPDATE SET value = {table}.value + EXCLUDED.value",
            params,
        )


def tallies_read(series_id: int) -> dict[tuple[str, str], int]:
    """Every non-zero counter of a series: one indexed query, a few hundred rows at most."""
    return {
        (metric, key): value
        for metric, key, value in Tally.objects.filter(series_id=series_id)
        .exclude(value=0)
        .values_list("metric", "key", "value")
    }
