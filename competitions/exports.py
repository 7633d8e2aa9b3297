"""Excel exports for organizers: entries, a round's assignment matrix, its score sheets and its
ranking. Formula-like text is stored as plain text (see events/exports.py)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from events.exports import _is_formula_like

from .models import Assignment, Criterion, Entry, Judge, Result, Round, Scorecard
from .services.judging import round_entries

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _book(title: str, header: list, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if hasattr(value, "tzinfo") and value.tzinfo is not None:
                value = value.astimezone(SHANGHAI).replace(tzinfo=None)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if _is_formula_like(value):
                cell.data_type = "s"  # kept as text, never run as a formula
    sheet.freeze_panes = "B2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def entries_xlsx(competition) -> bytes:
    entries = Entry.objects.filter(competition=competition).select_related("lead").order_by("submitted_at", "pk")
    return _book(
        _("参赛项目"),
        [
            _("编号"),
            _("项目名称"),
            _("赛道"),
            _("阶段"),
            _("依托单位"),
            _("企业名称"),
            _("统一社会信用代码"),
            _("负责人"),
            _("邮箱"),
            _("专利"),
            _("融资需求（万元）"),
            _("视频"),
            _("奖项"),
            _("提交时间"),
        ],
        (
            [
                e.pk,
                e.title,
                e.track,
                str(e.get_stage_display()),
                e.organisation,
                e.company_name,
                e.credit_code,
                e.lead.display_name,
                e.lead.email,
                "、".join(e.patents),
                float(e.funding_wan) if e.funding_wan is not None else None,
                e.video_url,
                str(e.get_award_display()) if e.award else "",
                e.submitted_at,
            ]
            for e in entries
        ),
    )


def assignment_xlsx(round_: Round) -> bytes:
    """Entries down, judges across, 1 where assigned (M: fixed by hand)."""
    judges = list(Judge.objects.filter(competition_id=round_.competition_id, status=Judge.Status.ACCEPTED))
    pairs = {(a.entry_id, a.judge_id): a.manual for a in Assignment.objects.filter(round=round_)}
    rows = []
    for entry in round_entries(round_).order_by("pk"):
        marks = [("M" if pairs[(entry.pk, j.pk)] else 1) if (entry.pk, j.pk) in pairs else None for j in judges]
        rows.append([entry.pk, entry.title, *marks, sum(1 for m in marks if m)])
    rows.append(["", _("负荷"), *[sum(1 for (e, j) in pairs if j == judge.pk) for judge in judges], len(pairs)])
    return _book(
        _("评审分配"), [_("编号"), _("项目"), *[f"{j.name}（{j.organisation}）" for j in judges], _("评委数")], rows
    )


def scores_xlsx(round_: Round) -> bytes:
    criteria = list(Criterion.objects.filter(round=round_))
    cards = (
        Scorecard.objects.filter(assignment__round=round_)
        .select_related("assignment__entry", "assignment__judge")
        .order_by("assignment__entry_id", "assignment__judge__name")
    )
    return _book(
        _("评分表"),
        [
            _("编号"),
            _("项目"),
            _("评委"),
            *[f"{c.name}（{c.weight}）" for c in criteria],
            _("加权总分"),
            _("评语"),
            _("提交时间"),
        ],
        (
            [
                s.assignment.entry_id,
                s.assignment.entry.title,
                s.assignment.judge.name,
                *[float(s.values.get(str(c.pk), 0)) for c in criteria],
                float(s.total),
                s.comment,
                s.submitted_at,
            ]
            for s in cards
        ),
    )


def ranking_xlsx(round_: Round) -> bytes:
    results = Result.objects.filter(round=round_).select_related("entry").order_by("rank")
    return _book(
        _("排名"),
        [_("名次"), _("编号"), _("项目"), _("赛道"), _("平均分"), _("标准化得分"), _("晋级"), _("人工调整")],
        (
            [
                r.rank,
                r.entry_id,
                r.entry.title,
                r.entry.track,
                float(r.raw),
                float(r.normalised) if r.normalised is not None else None,
                _("是") if r.advances else _("否"),
                _("是") if r.adjusted else "",
            ]
            for r in results
        ),
    )
