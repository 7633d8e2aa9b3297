"""Organizers verify companies before they may act."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.views.console import organizer_required

from .models import Company
from .services import AccountError, company_verify


@organizer_required
def companies(request):
    status = request.GET.get("status", Company.Status.PENDING)
    if status not in Company.Status.values:
        status = Company.Status.PENDING
    rows = Company.objects.filter(status=status).prefetch_related("memberships__user")
    return render(request, "console/companies.html", {"companies": rows, "status": status,
                                                      "statuses": Company.Status.choices})


@organizer_required
@require_POST
def company_decide(request, pk, decision):
    company = get_object_or_404(Company, pk=pk)
    try:
        company_verify(company=company, actor=request.user, approve=decision == "verify")
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已通过认证：%(name)s") % {"name": company.name} if decision == "verify"
                         else _("已驳回：%(name)s") % {"name": company.name})
    return redirect("console:companies")
