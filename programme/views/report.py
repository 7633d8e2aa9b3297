"""The monthly report: Excel (cover + one sheet per target) and a printable page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.services import audit_log
from events.models import Series

from ..report import month_parse, monthly_report, report_workbook
from .console import head_office_required


@head_office_required
def report_page(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    report = monthly_report(series, month_parse(request.GET.get("month")))
    return render(request, "programme/console/report.html", {"report": report, "series": series, "nav": "programme"})


@head_office_required
def report_xlsx(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    month = month_parse(request.GET.get("month"))
    data = report_xlsx_bytes(series, month)
    audit_log(actor=request.user, action="programme.report", target=series, data={"month": month})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="programme-{series.pk}-{month}.xlsx"'
    return response


def report_xlsx_bytes(series, month: str) -> bytes:
    return report_workbook(monthly_report(series, month))
