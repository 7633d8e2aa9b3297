"""Lead retrieval pages: the booth scanner, the visitor list and its export for company staff;
a candidate's own booth visits. A company only ever reaches its own visits (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.inputs import request_json

from .. import selectors
from ..errors import FairError
from ..exports import visitors_xlsx as build_xlsx
from ..forms import VisitNoteForm
from ..models import BoothBooking, BoothVisit, Fair
from ..permissions import member_companies
from ..services import ticket_holder, visit_consent_withdraw, visit_note_set, visit_record
from .public import acting_company


def _company_fair(request, event_id: int):
    """The acting company and the fair, if that company holds a confirmed booth there; else 404."""
    company = acting_company(request)
    if company is None:
        raise PermissionDenied
    fair = Fair.objects.select_related("event").filter(pk=event_id).first()
    if (
        fair is None
        or not BoothBooking.objects.filter(fair=fair, company=company, status=BoothBooking.Status.APPROVED).exists()
    ):
        raise Http404
    return company, fair


@login_required
@require_GET
def scanner(request, event_id: int):
    company, fair = _company_fair(request, event_id)
    return render(
        request, "fairs/scanner.html", {"company": company, "fair": fair, "event": fair.event, "jsqr_url": _jsqr_url()}
    )


def _jsqr_url() -> str:
    """The door scanner's vendored decoder (checkin's static/vendor/jsqr/), if installed: a
    production manifest without it must not turn the page into a 500; typing still works."""
    from django.templatetags.static import static

    try:
        return static("vendor/jsqr/jsQR.min.js")
    except ValueError:
        return ""


@login_required
@require_POST
def scan_api(request, event_id: int):
    company, fair = _company_fair(request, event_id)
    try:
        data = request_json(request)  # no RecursionError, no NUL, not a form (config/inputs.py)
        code = data.get("code", "") if isinstance(data, dict) else ""
    except ValueError:
        code = ""
    if not isinstance(code, str) or not code.strip() or len(code) > 400:
        error = FairError("bad_ticket")
        return JsonResponse({"ok": False, "code": error.code, "message": str(error.message)}, status=400)
    try:
        visitor, ticket_id = ticket_holder(code=code, fair=fair)
        visit, first = visit_record(
            fair=fair, company=company, actor=request.user, visitor=visitor, ticket_id=ticket_id
        )
    except FairError as error:
        return JsonResponse({"ok": False, "code": error.code, "message": str(error.message)}, status=error.status_code)
    if visit.shared:
        profile = visit.visitor.candidate_profile
        who = _("%(name)s（%(institution)s）") % {"name": profile.full_name, "institution": profile.institution}
    else:
        who = _("一位未授权展示资料的到访者")
    message = (_("已记录：%(who)s") if first else _("再次到访：%(who)s")) % {"who": who}
    return JsonResponse({"ok": True, "first": first, "shared": visit.shared, "message": message})


@login_required
@require_GET
@never_cache
def visitors(request, event_id: int):
    company, fair = _company_fair(request, event_id)
    shown, anonymous = selectors.company_visits(company, fair)
    return render(
        request,
        "fairs/visitors.html",
        {
            "company": company,
            "fair": fair,
            "event": fair.event,
            "visits": shown,
            "anonymous": anonymous,
        },
    )


@login_required
@require_GET
@never_cache
def visitors_xlsx(request, event_id: int):
    company, fair = _company_fair(request, event_id)
    shown, anonymous = selectors.company_visits(company, fair)
    body = build_xlsx(shown, anonymous, title=f"{company.name} · {fair.event.title}")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="visitors-{fair.pk}.xlsx"'
    return response


def _own_visit(request, pk: int) -> BoothVisit:
    return get_object_or_404(
        BoothVisit.objects.select_related("fair__event", "company", "visitor__candidate_profile"),
        pk=pk,
        company__in=member_companies(request.user),
    )


@login_required
@require_POST
def visit_note(request, pk: int):
    visit = _own_visit(request, pk)
    form = VisitNoteForm(request.POST, prefix=f"v{visit.pk}")
    if not form.is_valid():
        messages.error(request, _("备注或评分无效。"))
    else:
        try:
            visit_note_set(
                visit=visit, actor=request.user, note=form.cleaned_data["note"], rating=form.cleaned_data["rating"]
            )
        except FairError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存。"))
    return redirect("fairs:visitors", visit.fair_id)


@login_required
@require_GET
@never_cache
def visit_cv(request, pk: int):
    """A visitor's CV, for the company they shared it with, while they still share it."""
    visit = _own_visit(request, pk)
    profile = getattr(visit.visitor, "candidate_profile", None)
    if not visit.shared or profile is None or not profile.consent_share or not profile.cv:
        raise Http404
    try:
        handle = profile.cv.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=f"cv-{visit.pk}.pdf", content_type="application/pdf")


@login_required
@require_GET
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def my_visits(request):
    visits = (
        BoothVisit.objects.filter(visitor=request.user)
        .select_related("company", "fair__event", "booth")
        .order_by("-first_seen_at")
    )
    return render(request, "fairs/my_visits.html", {"visits": visits})


@login_required
@require_POST
def my_visit_withdraw(request, pk: int):
    visit = get_object_or_404(BoothVisit, pk=pk, visitor=request.user)
    visit_consent_withdraw(visit=visit, user=request.user)
    messages.success(request, _("已撤回：%(name)s 不再能看到您的资料。") % {"name": visit.company.name})
    return redirect("fairs:my_visits")
