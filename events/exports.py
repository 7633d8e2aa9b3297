"""Registration lists as Excel and CSV for organizers."""

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from accounts.disciplines import DISCIPLINES

from .models import Registration

_DISCIPLINE_LABELS = dict(DISCIPLINES)
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _header() -> list[str]:
    return [_("姓名"), _("邮箱"), _("手机号码"), _("单位"), _("一级学科"), _("候选人类别"), _("状态"),
            _("候补位次"), _("报名时间")]


def _rows(registrations: Iterable[Registration], positions: dict[int, int]):
    for r in registrations:
        profile = getattr(r.user, "candidate_profile", None)
        yield [
            profile.full_name if profile else r.user.name,
            r.user.email,
            profile.phone if profile else "",
            profile.institution if profile else "",
            str(_DISCIPLINE_LABELS.get(profile.discipline, "")) if profile else "",
            profile.kind_label if profile else "",
            r.get_status_display(),
            positions.get(r.pk),
            timezone.localtime(r.created_at).replace(tzinfo=None),
        ]


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def registrations_csv(registrations, positions) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for row in _rows(registrations, positions):
        row[-1] = row[-1].strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow([_safe(cell) if cell is not None else "" for cell in row])
    # The BOM makes Excel read the file as UTF-8 (Chinese names stay legible).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def registrations_xlsx(registrations, positions, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("报名名单")
    header = _header()
    sheet.append(header)
    widths = [len(h) * 2 + 2 for h in header]
    for row in _rows(registrations, positions):
        sheet.append([_safe(cell) for cell in row])
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], min(40, len(str(cell or "")) + 2))
    for row in sheet.iter_rows(min_row=2, min_col=len(header), max_col=len(header)):
        row[0].number_format = "yyyy-mm-dd hh:mm:ss"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(width, 12)
    sheet.freeze_panes = "A2"
    workbook.properties.title = title[:200]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
