"""The organizer's Excel export of an event's meetings (openpyxl): the grid and a list."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import Meeting


def _name(meeting: Meeting) -> str:
    profile = getattr(meeting.candidate, "candidate_profile", None)
    return profile.full_name if profile else meeting.candidate.display_name


def grid_xlsx(setup) -> bytes:
    from openpyxl import Workbook  # here: only the export needs it, not every process loading the URLs
    from openpyxl.styles import Alignment, Font

    data = selectors.grid(setup)
    book = Workbook()
    sheet = book.active
    sheet.title = _("洽谈网格")[:31]
    sheet.append([_("时段")] + [f"{t} {t.company.name if t.company else ''}" for t in data["tables"]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data["rows"]:
        local = timezone.localtime(row["slot"].starts_at)
        sheet.append(
            [local.strftime("%Y-%m-%d %H:%M")]
            + [
                (f"{_name(c['meeting'])}（{c['meeting'].get_status_display()}）" if c["meeting"] else "")
                for c in row["cells"]
            ]
        )
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 22
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    listing = book.create_sheet(_("洽谈清单")[:31])
    listing.append([_("时间"), _("桌号"), _("单位"), _("候选人"), _("状态"), _("来源"), _("到场")])
    for m in (
        Meeting.objects.filter(event=setup.event)
        .exclude(status="cancelled", sequence=0)
        .select_related("slot", "table", "company", "candidate__candidate_profile")
        .order_by("slot__starts_at")
    ):
        listing.append(
            [
                timezone.localtime(m.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                str(m.table),
                m.company.name,
                _name(m),
                m.get_status_display(),
                m.get_origin_display(),
                m.get_attendance_display(),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
