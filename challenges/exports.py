"""Excel exports of challenges: a company's applications, the organizers' challenges and projects.
Formula-like text is stored as plain text (see events/exports.py); times in Asia/Shanghai."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.disciplines import DISCIPLINES
from events.exports import _is_formula_like

SHANGHAI = ZoneInfo("Asia/Shanghai")
_DISCIPLINES = dict(DISCIPLINES)


def _local(value):
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if isinstance(value, datetime) and value else value


def _book(title: str, header: list[str], rows, widths) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            value = _local(value)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if _is_formula_like(value):
                cell.data_type = "s"  # kept as text, never run as a formula
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = title[:200]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def applications_xlsx(challenge, applications) -> bytes:
    """The company's applications. Contact details of the lead only where the CV is shared."""
    rows = []
    for a in applications:
        lead = a.team.lead
        profile = getattr(lead, "candidate_profile", None)
        shared = a.share_cv and profile is not None
        members = [m.user.display_name for m in a.team.members.all() if m.user_id and m.status == "accepted"]
        rows.append(
            [
                a.team.name,
                lead.display_name,
                lead.email if shared else "",
                profile.institution if shared else "",
                len(members),
                "、".join(members),
                str(a.get_status_display()),
                float(a.price_wan),
                a.proposal,
                a.approach,
                a.timeline,
                a.created_at,
                a.presentation_at,
            ]
        )
    return _book(
        _("揭榜申请"),
        [
            _("团队"),
            _("负责人"),
            _("邮箱"),
            _("单位"),
            _("人数"),
            _("成员"),
            _("状态"),
            _("报价（万元）"),
            _("解决方案"),
            _("技术路线"),
            _("进度安排"),
            _("提交时间"),
            _("路演时间"),
        ],
        rows,
        (18, 10, 24, 20, 6, 24, 10, 10, 40, 30, 30, 18, 18),
    )


def challenges_xlsx(challenges) -> bytes:
    rows = (
        [
            c.title,
            c.company.name,
            str(_DISCIPLINES.get(c.discipline, c.discipline)),
            c.district_label,
            float(c.budget_min_wan),
            float(c.budget_max_wan),
            c.winners_max,
            c.winners_count,
            c.n_applications,
            str(c.get_status_display()),
            c.deadline,
            c.published_at,
        ]
        for c in challenges.iterator()
    )
    return _book(
        _("企业难题"),
        [
            _("难题"),
            _("发榜单位"),
            _("学科"),
            _("区市"),
            _("预算下限（万元）"),
            _("预算上限（万元）"),
            _("拟揭榜数"),
            _("已揭榜成功"),
            _("申请数"),
            _("状态"),
            _("截止时间"),
            _("发布时间"),
        ],
        rows,
        (30, 24, 14, 10, 10, 10, 8, 8, 8, 10, 18, 18),
    )


def projects_xlsx(projects, total) -> bytes:
    rows = [
        [
            p.title,
            p.company.name if p.company_id else "",
            p.team.name if p.team_id else "",
            p.signed_on,
            float(p.amount_wan) if p.amount_wan is not None else None,
            str(p.get_status_display()),
            p.series.title,
        ]
        for p in projects
    ]
    rows.append([_("合计"), "", "", None, float(total), "", ""])
    return _book(
        _("揭榜项目"),
        [_("项目"), _("签约单位"), _("团队"), _("签约日期"), _("合同金额（万元）"), _("状态"), _("系列活动")],
        rows,
        (30, 24, 18, 12, 14, 10, 24),
    )
