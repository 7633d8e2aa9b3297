"""Organizers verify companies before they may act (book booths, post positions).

`organizer_required` lives here rather than in events so the dependency keeps pointing one
way: events (and the other apps' consoles) import accounts, never the reverse (DESIGN §2).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Company
from .services import AccountError, company_verify, is_head_office


def organizer_required(view):
    """Anonymous visitors go to the login page; signed-in non-organizers get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_organizer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def head_office_required(view):
    """Company verification is head office's (accounts.services.is_head_office); others get 403."""

    @organizer_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_head_office(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@head_office_required
def companies(request):
    status = request.GET.get("status", Company.Status.PENDING)
    if status not in Company.Status.values:
        status = Company.Status.PENDING
    rows = (
        Company.objects.filter(status=status)
        .select_related("verified_by")
        .prefetch_related("memberships__user")
        .order_by("created_at", "id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "console/companies.html",
        {
            "page": page,
            "status": status,
            "statuses": Company.Status.choices,
        },
    )


@head_office_required
@require_POST
def company_decide(request, pk, decision):
    company = get_object_or_404(Company, pk=pk)
    approve = decision == "verify"
    try:
        company_verify(company=company, actor=request.user, approve=approve)
    except AccountError as error:
        messages.error(request, error.message)
    else:
        text = _("已通过认证：%(name)s") if approve else _("已驳回：%(name)s")
        messages.success(request, text % {"name": company.name})
    back = request.POST.get("status", Company.Status.PENDING)
    if back not in Company.Status.values:
        back = Company.Status.PENDING
    return redirect(f"{reverse('console:companies')}?status={back}")
