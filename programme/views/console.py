"""The organizers' programme console: dashboard, the lists behind its figures, targets,
projects entered by hand, outcome reviews, anyone's journey.

Aggregates are for every organizer; lists that name people, reviews and journeys are for the
head office (events.manage_all_events). Partners get 403 there, a guessed id 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.console import organizer_required
from accounts.models import User
from events.models import Series
from projects.errors import ProjectError
from projects.services import project_create

from ..counting.freshness import catch_up_if_stale
from ..errors import ProgrammeError
from ..forms import ProjectForm, TargetForm
from ..live import group_programme
from ..models import Outcome, Target
from ..selectors import journey
from ..selectors.cached import console_body_cached, console_figures_cached
from ..selectors.lists import WHATS, figure_rows
from ..services import head_office, outcome_review, target_delete, target_save, targets_default


def _id(value) -> int:
    """A primary key from a form: anything but plain ASCII digits is 0 (found by nobody, a 404)."""
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


def head_office_required(view):
    @organizer_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not head_office(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@organizer_required
def series_pick(request):
    series = Series.objects.order_by("-year", "-id").first()
    if series is None:
        raise Http404
    return redirect("programme:console_dashboard", pk=series.pk)


@organizer_required
def dashboard(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    catch_up_if_stale()
    figures = console_figures_cached(series)
    is_head = head_office(request.user)
    figures_html = console_body_cached(
        series,
        figures,
        "head" if is_head else "partner",
        lambda: render_to_string(
            "programme/console/_figures.html", {"series": series, "figures": figures, "head_office": is_head}
        ),
    )
    return render(
        request,
        "programme/console/dashboard.html",
        {
            "series": series,
            "figures_html": mark_safe(figures_html),  # rendered by our own template, escaped there
            "topic": group_programme(series.pk),
            "series_list": Series.objects.order_by("-year", "-id"),
            "head_office": is_head,
            "pending": Outcome.objects.filter(status=Outcome.Status.AWAITING_REVIEW).count(),
            "nav": "programme",
        },
    )


@organizer_required
@never_cache
def dashboard_json(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    return JsonResponse(
        console_figures_cached(series), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )


@head_office_required
def figure_list(request, pk: int, what: str):
    series = get_object_or_404(Series, pk=pk)
    rows = figure_rows(series, what, request.GET)
    if rows is None:
        raise Http404
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programme/console/list.html",
        {
            "series": series,
            "what": what,
            "what_label": WHATS[what],
            "page": page,
            "query": query.urlencode(),
            "filters": [(k, v) for k, v in request.GET.items() if k != "page"],
            "nav": "programme",
        },
    )


@head_office_required
@require_http_methods(["GET", "POST"])
def targets(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    form = TargetForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "defaults":
                targets_default(series=series, actor=request.user)
            elif action == "delete":
                target = get_object_or_404(Target, series=series, pk=_id(request.POST.get("target")))
                target_delete(target=target, actor=request.user)
            elif form.is_valid():
                data = form.cleaned_data
                target = None
                if request.POST.get("target"):
                    target = get_object_or_404(Target, series=series, pk=_id(request.POST.get("target")))
                target_save(
                    series=series,
                    actor=request.user,
                    metric=data["metric"],
                    param=data["param"] or "",
                    title=data["title"],
                    goal=data["goal"],
                    manual_value=data["manual_value"],
                    target=target,
                )
            else:
                raise ProgrammeError("invalid", _("请修改下面标出的内容。"))
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("目标已保存。"))
            return redirect("programme:console_targets", pk=series.pk)
    return render(
        request,
        "programme/console/targets.html",
        {"series": series, "targets": series.targets.all(), "form": form, "nav": "programme"},
    )


@head_office_required
@require_http_methods(["GET", "POST"])
def project_new(request, pk: int):
    series = get_object_or_404(Series, pk=pk)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project_create(
                series=series,
                title=data["title"],
                source="manual",
                signed_on=data["signed_on"],
                actor=request.user,
                company=data["company"],
                amount_wan=data["amount_wan"],
                summary=data["summary"],
            )
        except ProjectError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("项目已录入。"))
            return redirect("programme:console_dashboard", pk=series.pk)
    return render(request, "programme/console/project_form.html", {"series": series, "form": form, "nav": "programme"})


@head_office_required
def outcomes(request):
    status = request.GET.get("status", Outcome.Status.AWAITING_REVIEW)
    if status not in Outcome.Status.values:
        status = Outcome.Status.AWAITING_REVIEW
    rows = Outcome.objects.filter(status=status).select_related("candidate", "company", "series", "reported_by")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/console/outcomes.html",
        {"page": page, "status": status, "statuses": Outcome.Status.choices, "nav": "programme"},
    )


@head_office_required
@require_POST
def outcome_review_view(request, pk: int):
    outcome = get_object_or_404(Outcome, pk=pk)
    try:
        outcome_review(
            outcome=outcome,
            actor=request.user,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect("programme:console_outcomes")


@head_office_required
def person_journey(request, user_id: int):
    person = get_object_or_404(User, pk=user_id)
    return render(request, "programme/journey.html", {"person": person, "steps": journey(person), "own": False})
