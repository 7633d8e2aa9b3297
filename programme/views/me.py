"""A person's own outcomes (report, confirm a company's report) and talent journey; a company
member's reports. Someone else's outcome answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Company
from events.models import Series

from ..errors import ProgrammeError
from ..forms import CompanyOutcomeForm, OwnOutcomeForm
from ..models import COMPANY_KINDS, Outcome
from ..selectors import journey
from ..services import outcome_report, outcome_respond, outcome_visitors


def _current_series() -> Series:
    series = Series.objects.order_by("-year", "-id").first()
    if series is None:
        raise Http404
    return series


def _company(request) -> Company | None:
    return Company.objects.filter(memberships__user=request.user).order_by("pk").first()


@login_required
@require_http_methods(["GET", "POST"])
def my_outcomes(request):
    company = _company(request) if request.user.is_company_member else None
    own_form = company_form = None
    if company is not None:
        company_form = CompanyOutcomeForm(request.POST or None, visitors=outcome_visitors(company))
    elif request.user.is_candidate:
        own_form = OwnOutcomeForm(request.POST or None)
    form = company_form or own_form
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome_report(
                    actor=request.user,
                    series=_current_series(),
                    kind=data["kind"],
                    happened_on=data["happened_on"],
                    candidate=data.get("candidate"),
                    company=company if company_form else data.get("company"),
                    note=data["note"],
                )
            except ProgrammeError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("已提交，等待确认。"))
                return redirect("programme:my_outcomes")
    mine = Outcome.objects.filter(candidate=request.user).select_related("company", "series")
    reported = Outcome.objects.none()
    if company is not None:
        reported = Outcome.objects.filter(company=company, kind__in=COMPANY_KINDS).select_related("candidate")
    return render(
        request, "programme/my_outcomes.html", {"form": form, "company": company, "mine": mine, "reported": reported}
    )


@login_required
@require_POST
def outcome_respond_view(request, pk: int):
    outcome = Outcome.objects.filter(pk=pk, candidate=request.user).first()
    if outcome is None:
        raise Http404  # someone else's outcome, or none: the same answer
    try:
        outcome_respond(outcome=outcome, actor=request.user, accept=request.POST.get("accept") == "1")
    except ProgrammeError as error:
        messages.error(request, error.message)
    return redirect("programme:my_outcomes")


@login_required
def my_journey(request):
    return render(
        request, "programme/journey.html", {"person": request.user, "steps": journey(request.user), "own": True}
    )
