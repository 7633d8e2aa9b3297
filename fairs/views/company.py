"""A company member's pages: its bookings, its positions. Every object is looked up among the
member's own companies, so another company's id answers 404 (DESIGN §5.6)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.models import Event

from .. import selectors
from ..errors import FairError
from ..forms import PositionForm
from ..models import BoothBooking, Fair, Position
from ..permissions import member_companies
from ..services import booking_cancel, fairs_with_booth, position_delete, position_save
from .public import acting_company


def _company_or_403(request):
    company = acting_company(request)
    if company is None:
        raise PermissionDenied
    return company


@login_required
def company_home(request):
    company = _company_or_403(request)
    bookings = selectors.company_bookings(member_companies(request.user).filter(pk=company.pk))
    fairs = (
        Fair.objects.filter(
            event__status=Event.Status.PUBLISHED, event__ends_at__gte=timezone.now(), halls__isnull=False
        )
        .select_related("event")
        .distinct()
        .order_by("event__starts_at")
    )
    return render(
        request,
        "fairs/company_home.html",
        {
            "company": company,
            "bookings": bookings,
            "fairs": fairs,
            "booked_fairs": fairs_with_booth(company).select_related("event").order_by("event__starts_at"),
            "positions": company.positions.prefetch_related("fairs__event")[:100],
        },
    )


@login_required
@require_POST
def booking_cancel_view(request, pk: int):
    booking = get_object_or_404(
        BoothBooking.objects.select_related("fair__event", "company"), pk=pk, company__in=member_companies(request.user)
    )
    try:
        booking_cancel(booking=booking, actor=request.user)
    except FairError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消展位 %(code)s 的预订。") % {"code": booking.booth.code})
    return redirect("fairs:company_bookings")


@login_required
@require_http_methods(["GET", "POST"])
def position_edit(request, pk: int | None = None):
    company = _company_or_403(request)
    position = None
    if pk is not None:
        position = get_object_or_404(Position, pk=pk, company__in=member_companies(request.user))
        company = position.company
    choices = fairs_with_booth(company).select_related("event")
    form = PositionForm(request.POST or None, instance=position, fair_choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                position_save(
                    company=company, actor=request.user, data=data, fairs=form.cleaned_data["fairs"], position=position
                )
            except FairError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("岗位已保存。"))
                return redirect("fairs:company_bookings")
        status = 400
    return render(
        request, "fairs/position_form.html", {"form": form, "position": position, "company": company}, status=status
    )


@login_required
@require_POST
def position_delete_view(request, pk: int):
    position = get_object_or_404(Position, pk=pk, company__in=member_companies(request.user))
    position_delete(position=position, actor=request.user)
    messages.success(request, _("岗位已删除。"))
    return redirect("fairs:company_bookings")
