"""A company's booth visitors as Excel: only those who share their profile, by name; the rest
as one anonymous count. Formula-like text is stored as plain text (see events/exports.py)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.disciplines import DISCIPLINES
from events.exports import _is_formula_like

SHANGHAI = ZoneInfo("Asia/Shanghai")
_DISCIPLINES = dict(DISCIPLINES)


def visitors_xlsx(visits, anonymous: int, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("展位到访")[:31]
    names = [
        _("姓名"),
        _("邮箱"),
        _("手机号码"),
        _("单位"),
        _("一级学科"),
        _("研究方向"),
        _("到访时间"),
        _("扫码次数"),
        _("评分"),
        _("备注"),
    ]
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, visit in enumerate(visits, start=2):
        profile = visit.visitor.candidate_profile
        row = [
            profile.full_name,
            visit.visitor.email,
            profile.phone,
            profile.institution,
            str(_DISCIPLINES.get(profile.discipline, profile.discipline)),
            profile.research_field,
            visit.first_seen_at.astimezone(SHANGHAI).replace(tzinfo=None),
            visit.scans,
            visit.rating,
            visit.note,
        ]
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if _is_formula_like(value):
                cell.data_type = "s"  # kept as text, never run as a formula
            elif column == 7:
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.append([])
    sheet.append([_("未授权展示资料的到访"), anonymous])
    for column, width in zip("ABCDEFGHIJ", (12, 26, 14, 24, 16, 24, 20, 10, 8, 40)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = title[:200]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
