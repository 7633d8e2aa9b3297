"""Registration lists as Excel and CSV for organizers.

Both files carry the same columns as the console list. Times are Beijing time (Asia/Shanghai):
real datetimes in Excel, "YYYY-MM-DD HH:MM:SS" text in CSV.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.disciplines import DISCIPLINES

from .models import Registration

SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_DISCIPLINE_LABELS = dict(DISCIPLINES)
# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_WIDTH = 48


def header(questions=()) -> list[str]:
    return [
        _("姓名"),
        _("邮箱"),
        _("手机号码"),
        _("单位"),
        _("一级学科"),
        _("候选人类别"),
        _("状态"),
        _("候补位次"),
        _("报名时间"),
        *[q.label for q in questions],
    ]


def rows(
    registrations: Iterable[Registration], positions: dict[int, int], questions=(), answers: dict | None = None
) -> Iterator[list]:
    """One list per registration; the 9th cell is a naive datetime in Beijing time, then one
    cell per registration question (the answer as people read it)."""
    answers = answers or {}
    for r in registrations:
        mine = answers.get(r.pk, {})
        profile = getattr(r.user, "candidate_profile", None)
        yield [
            profile.full_name if profile else r.user.name,
            r.user.email,
            profile.phone if profile else "",
            profile.institution if profile else "",
            str(_DISCIPLINE_LABELS.get(profile.discipline, profile.discipline)) if profile else "",
            profile.kind_label if profile else "",
            str(r.get_status_display()),
            positions.get(r.pk),
            r.created_at.astimezone(SHANGHAI).replace(tzinfo=None),
            *[mine[q.pk].text if q.pk in mine else "" for q in questions],
        ]


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_safe(value) -> str:
    """The cell as CSV text; text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if _is_formula_like(value):
        return "'" + value
    return str(value)


def registrations_csv(
    registrations: Iterable[Registration], positions: dict[int, int], questions=(), answers: dict | None = None
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(name) for name in header(questions)])
    for row in rows(registrations, positions, questions, answers):
        writer.writerow([csv_safe(cell) for cell in row])
    # The BOM makes Excel read the file as UTF-8, so Chinese names stay legible.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    # CJK characters take two columns in Excel's default font.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def registrations_xlsx(
    registrations: Iterable[Registration],
    positions: dict[int, int],
    *,
    title: str,
    questions=(),
    answers: dict | None = None,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("报名名单")[:31]
    names = header(questions)
    sheet.append(names)
    for cell in sheet[1]:
        if _is_formula_like(cell.value):
            cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [_display_width(name) for name in names]
    for row_number, row in enumerate(rows(registrations, positions, questions, answers), start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if _is_formula_like(value):
                # openpyxl would store "=..." as a formula; kept as plain text it is never run.
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            widths[column - 1] = max(widths[column - 1], _display_width(value))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(_MAX_WIDTH, max(8, width + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = title[:200]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
