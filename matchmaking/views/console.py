"""The organizer's console for an event's meetings: rules, slots, tables, the grid (move a
meeting to a free cell by drag-and-drop or the form), scheduler runs, statistics, the Excel
export and the printable table sheets. Every page checks event_can_edit (404 otherwise)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Company
from events.models import Event
from events.permissions import event_can_edit

from .. import selectors
from ..errors import MatchmakingError
from ..exports import grid_xlsx
from ..models import Meeting, SchedulerRun, Slot, Table
from ..permissions import setup_for_manager
from ..services import (
    meeting_cancel,
    meeting_move,
    run_create,
    run_publish,
    setup_save,
    slots_generate,
    table_assign,
    tables_create,
)
from .common import done, int_or_none, refuse, snapshot


def _to(event_id: int) -> str:
    return reverse("matchmaking:console", args=[event_id])


def _context(setup) -> dict:
    return {
        "setup": setup,
        "event": setup.event,
        "grid": selectors.grid(setup),
        "stats": selectors.statistics(setup),
        "runs": selectors.runs(setup),
        "companies": Company.objects.filter(status="verified").order_by("name")[:300],
    }


@login_required
def console(request, event_id: int):
    event = get_object_or_404(Event, pk=event_id)
    if not event_can_edit(request.user, event):
        raise Http404
    if not hasattr(event, "meeting_setup"):
        if request.method == "POST":
            setup_save(event=event, actor=request.user)
            return done(request, _("已开启一对一洽谈。"), _to(event_id))
        return render(request, "matchmaking/console_enable.html", {"event": event})
    return render(request, "matchmaking/console.html", _context(event.meeting_setup))


@login_required
def console_snapshot(request, event_id: int):
    setup = setup_for_manager(request.user, event_id)
    return snapshot(request, "matchmaking/_console_grid.html", _context(setup), setup.version)


def _local_dt(day: str, clock: str) -> datetime | None:
    try:
        d = datetime.strptime(day, "%Y-%m-%d").date()
        h, m = (int(x) for x in clock.split(":"))
        return timezone.make_aware(datetime.combine(d, time(h, m)))
    except (ValueError, TypeError):
        return None


@login_required
@require_POST
def rules(request, event_id: int):
    setup = setup_for_manager(request.user, event_id)
    try:
        fields = {
            k: int(request.POST[k])
            for k in ("meeting_minutes", "max_per_candidate", "max_per_company", "lapse_hours")
            if request.POST.get(k)
        }
        for key in ("requests_open_at", "requests_close_at"):
            raw = request.POST.get(key, "")
            if raw:
                day, clock = raw.split("T") if "T" in raw else raw.split(" ")
                fields[key] = _local_dt(day, clock[:5])
        setup_save(event=setup.event, actor=request.user, **fields)
    except (ValueError, MatchmakingError) as error:
        return refuse(
            request,
            error if isinstance(error, MatchmakingError) else MatchmakingError("invalid", detail=str(error)),
            _to(event_id),
        )
    return done(request, _("规则已保存。"), _to(event_id))


@login_required
@require_POST
def slots(request, event_id: int):
    setup = setup_for_manager(request.user, event_id)
    day = request.POST.get("day", "")
    start, end = _local_dt(day, request.POST.get("start", "")), _local_dt(day, request.POST.get("end", ""))
    if start is None or end is None:
        return refuse(request, MatchmakingError("invalid", detail=_("日期或时间")), _to(event_id))
    try:
        made = slots_generate(
            setup=setup,
            actor=request.user,
            starts_at=start,
            ends_at=end,
            gap_minutes=int_or_none(request.POST.get("gap")) or 0,
        )
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("新增 %(n)d 个时段。") % {"n": len(made)}, _to(event_id))


@login_required
@require_POST
def tables(request, event_id: int):
    setup = setup_for_manager(request.user, event_id)
    company = Company.objects.filter(pk=int_or_none(request.POST.get("company")) or 0).first()
    try:
        tables_create(
            setup=setup,
            actor=request.user,
            hall=(request.POST.get("hall") or "A")[:60],
            count=int_or_none(request.POST.get("count")) or 0,
            kind=request.POST.get("kind", "table"),
            company=company,
        )
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("已添加洽谈桌。"), _to(event_id))


@login_required
@require_POST
def table_company(request, event_id: int, pk: int):
    setup = setup_for_manager(request.user, event_id)
    table = get_object_or_404(Table, pk=pk, event=setup.event)
    company = Company.objects.filter(pk=int_or_none(request.POST.get("company")) or 0).first()
    try:
        table_assign(table=table, company=company, actor=request.user)
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("已保存。"), _to(event_id))


@login_required
@require_POST
def move(request, event_id: int, pk: int):
    setup = setup_for_manager(request.user, event_id)
    meeting = get_object_or_404(Meeting, pk=pk, event=setup.event)
    slot = Slot.objects.filter(event=setup.event, pk=int_or_none(request.POST.get("slot")) or 0).first()
    table = Table.objects.filter(event=setup.event, pk=int_or_none(request.POST.get("table")) or 0).first()
    if slot is None or table is None:
        return refuse(request, MatchmakingError("invalid", detail=_("目标格子")), _to(event_id))
    try:
        meeting_move(meeting=meeting, slot=slot, table=table, actor=request.user)
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("洽谈已调整。"), _to(event_id))


@login_required
@require_POST
def cancel(request, event_id: int, pk: int):
    setup = setup_for_manager(request.user, event_id)
    meeting = get_object_or_404(Meeting, pk=pk, event=setup.event)
    try:
        meeting_cancel(meeting=meeting, actor=request.user)
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("洽谈已取消。"), _to(event_id))


@login_required
@require_POST
def run(request, event_id: int):
    setup = setup_for_manager(request.user, event_id)
    try:
        made = run_create(setup=setup, actor=request.user, time_limit=20)
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("排程草稿 #%(n)d 已生成，请预览后发布。") % {"n": made.pk}, _to(event_id) + "#runs")


@login_required
@require_POST
def publish(request, event_id: int, pk: int):
    setup = setup_for_manager(request.user, event_id)
    chosen = get_object_or_404(SchedulerRun, pk=pk, event=setup.event)
    try:
        run_publish(run=chosen, actor=request.user)
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("排程 #%(n)d 已发布。") % {"n": chosen.pk}, _to(event_id))


@login_required
def export(request, event_id: int):
    setup = setup_for_manager(request.user, event_id)
    response = HttpResponse(
        grid_xlsx(setup), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="boju-meetings-{event_id}.xlsx"'
    return response


@login_required
def sheet(request, event_id: int, pk: int):
    """One table's printable sheet: its meetings in time order."""
    setup = setup_for_manager(request.user, event_id)
    table = get_object_or_404(Table.objects.select_related("company"), pk=pk, event=setup.event)
    meetings = (
        Meeting.objects.filter(table=table, status__in=("requested", "accepted"))
        .select_related("slot", "candidate__candidate_profile")
        .order_by("slot__starts_at")
    )
    return render(
        request, "matchmaking/sheet.html", {"setup": setup, "event": setup.event, "table": table, "meetings": meetings}
    )
