"""The monthly report to the city's bureau: a cover (the period and each target's totals) and
the details behind each target. One builder (`monthly_report`) feeds both the Excel file and
the printable page, so they cannot disagree.

Reading Reach / CountedProject / Outcome rows here is fine: a report is made a few times a
month, not on every page view.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Province, UniversityType
from events.models import Event

from .districts import district_label
from .models import Attendance, CountedProject, Metric, Outcome, Reach

QINGDAO = ZoneInfo("Asia/Shanghai")


def month_parse(value: str | None) -> str:
    """YYYY-MM, or the current month for anything else."""
    value = (value or "").strip()
    try:
        year, month = int(value[:4]), int(value[5:7])
        if len(value) == 7 and value[4] == "-" and 2000 <= year <= 2100 and 1 <= month <= 12:
            return value
    except ValueError:
        pass
    today = timezone.localdate()
    return f"{today.year:04d}-{today.month:02d}"


def _bounds(month: str) -> tuple[date, date, datetime, datetime]:
    year, number = int(month[:4]), int(month[5:7])
    first = date(year, number, 1)
    last = date(year, number, calendar.monthrange(year, number)[1])
    start = datetime.combine(first, time.min, tzinfo=QINGDAO)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=QINGDAO)
    return first, last, start, end


def _event_rows(series, kind: str | None, start, end) -> list[list]:
    events = Event.objects.filter(
        series=series, status=Event.Status.PUBLISHED, ends_at__gte=start, ends_at__lt=min(end, timezone.now())
    )
    if kind:
        events = events.filter(kind=kind)
    attended = dict(
        Attendance.objects.filter(event__in=events).values("event").annotate(n=Count("id")).values_list("event", "n")
    )
    return [
        [
            e.title,
            e.get_kind_display(),
            timezone.localtime(e.starts_at, QINGDAO).strftime("%Y-%m-%d"),
            e.city,
            e.venue,
            attended.get(e.pk, 0),
        ]
        for e in events.order_by("starts_at")
    ]


def _held(series, kind: str | None, end) -> int:
    events = Event.objects.filter(series=series, status=Event.Status.PUBLISHED, ends_at__lt=min(end, timezone.now()))
    return (events.filter(kind=kind) if kind else events).count()


def monthly_report(series, month: str) -> dict:
    first, last, start, end = _bounds(month)
    provinces, kinds = dict(Province.choices), dict(UniversityType.choices)
    sheets = []
    for target in series.targets.all():
        header, rows = [], []
        if target.metric in (Metric.FAIRS_HELD, Metric.MATCHMAKING_HELD, Metric.EVENTS_HELD):
            kind = {Metric.FAIRS_HELD: Event.Kind.FAIR, Metric.MATCHMAKING_HELD: Event.Kind.MATCHMAKING}.get(
                target.metric, target.param
            )
            header = [_("活动"), _("类型"), _("日期"), _("城市"), _("场馆"), _("签到人数")]
            rows = _event_rows(series, kind, start, end)
            total, added = _held(series, kind, end), len(rows)
        elif target.metric == Metric.PEOPLE_REACHED:
            header = [
                _("姓名"),
                _("毕业院校/所在单位"),
                _("来源省份"),
                _("院校类型"),
                _("首次参加的活动"),
                _("首次签到"),
            ]
            reached = (
                Reach.objects.filter(series=series, month=month)
                .select_related("user", "user__candidate_profile", "first_event")
                .order_by("first_at")
            )
            for r in reached:
                profile = getattr(r.user, "candidate_profile", None)
                rows.append(
                    [
                        r.user.display_name,
                        profile.institution if profile else "",
                        str(provinces.get(r.province, "")),
                        str(kinds.get(r.university_type, "")),
                        r.first_event.title,
                        timezone.localtime(r.first_at, QINGDAO).strftime("%Y-%m-%d %H:%M"),
                    ]
                )
            total, added = Reach.objects.filter(series=series, month__lte=month).count(), len(rows)
        elif target.metric == Metric.PROJECTS_SIGNED:
            header = [_("项目名称"), _("来源"), _("签约单位"), _("所在区市"), _("签约日期"), _("合同金额（万元）")]
            for c in (
                CountedProject.objects.filter(series=series, month=month)
                .select_related("project", "project__company")
                .order_by("project__signed_on")
            ):
                p = c.project
                rows.append(
                    [
                        p.title,
                        p.get_source_display(),
                        p.company.name if p.company else "",
                        district_label(c.district),
                        p.signed_on.isoformat(),
                        float(p.amount_wan) if p.amount_wan is not None else "",
                    ]
                )
            total, added = CountedProject.objects.filter(series=series, month__lte=month).count(), len(rows)
        elif target.metric == Metric.OUTCOMES_CONFIRMED:
            header = [_("类型"), _("姓名"), _("单位"), _("发生日期"), _("说明"), _("确认时间")]
            confirmed = Outcome.objects.filter(series=series, status=Outcome.Status.CONFIRMED)
            if target.param:
                confirmed = confirmed.filter(kind=target.param)
            for o in confirmed.filter(happened_on__range=(first, last)).select_related("candidate", "company"):
                rows.append(
                    [
                        o.get_kind_display(),
                        o.candidate.display_name,
                        o.company.name if o.company else "",
                        o.happened_on.isoformat(),
                        o.note,
                        timezone.localtime(o.reviewed_at, QINGDAO).strftime("%Y-%m-%d") if o.reviewed_at else "",
                    ]
                )
            total, added = confirmed.filter(happened_on__lte=last).count(), len(rows)
        else:
            header = [_("说明")]
            rows = [[_("手工填报，截至报告生成时")]]
            total, added = target.manual_value or 0, None
        sheets.append(
            {
                "target": target,
                "title": target.title,
                "goal": target.goal,
                "total": total,
                "added": added,
                "percent": round(100 * total / target.goal, 1),
                "header": header,
                "rows": rows,
            }
        )
    return {
        "series": series,
        "month": month,
        "first": first,
        "last": last,
        "sheets": sheets,
        "generated_at": timezone.localtime(timezone.now(), QINGDAO),
    }


def report_workbook(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    book = Workbook()
    cover = book.active
    cover.title = _("封面")[:31]
    cover["A1"] = _("%(series)s 月度进展报告") % {"series": report["series"].title}
    cover["A1"].font = Font(bold=True, size=16)
    cover.merge_cells("A1:F1")
    cover["A1"].alignment = Alignment(horizontal="center")
    cover["A3"], cover["B3"] = _("统计期间"), f"{report['first'].isoformat()} — {report['last'].isoformat()}"
    cover["A4"], cover["B4"] = _("生成时间"), report["generated_at"].strftime("%Y-%m-%d %H:%M")
    cover["A5"], cover["B5"] = _("填报单位"), _("青岛市人力资源和社会保障局")
    for cell in ("A3", "A4", "A5"):
        cover[cell].font = bold
    columns = [_("序号"), _("目标"), _("年度目标值"), _("本月新增"), _("累计完成"), _("完成率（%）")]
    for col, title in enumerate(columns, start=1):
        cell = cover.cell(row=7, column=col, value=title)
        cell.font, cell.fill = bold, head_fill
    for index, sheet in enumerate(report["sheets"], start=1):
        cover.append(
            [
                index,
                sheet["title"],
                sheet["goal"],
                sheet["added"] if sheet["added"] is not None else "—",
                sheet["total"],
                sheet["percent"],
            ]
        )
    for col, width in zip("ABCDEF", (8, 28, 14, 12, 12, 14)):
        cover.column_dimensions[col].width = width
    used = set()
    for index, sheet in enumerate(report["sheets"], start=1):
        name = f"{index} {sheet['title']}"[:31]
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        while name in used:
            name = name[:28] + f"~{index}"
        used.add(name)
        ws = book.create_sheet(name)
        ws["A1"] = sheet["title"]
        ws["A1"].font = Font(bold=True, size=14)
        ws["A2"] = _("年度目标 %(goal)s，累计完成 %(total)s（%(percent)s%%），本月新增 %(added)s") % {
            "goal": sheet["goal"],
            "total": sheet["total"],
            "percent": sheet["percent"],
            "added": sheet["added"] if sheet["added"] is not None else "—",
        }
        for col, title in enumerate(sheet["header"], start=1):
            cell = ws.cell(row=4, column=col, value=str(title))
            cell.font, cell.fill = bold, head_fill
            ws.column_dimensions[get_column_letter(col)].width = 22
        for row in sheet["rows"]:
            ws.append([str(v) if not isinstance(v, (int, float)) else v for v in row])
        ws.freeze_panes = "A5"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
