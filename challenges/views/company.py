"""A company's challenge pages: post and edit, attachments, submit; applications, followers,
shortlist, invitation to present, selection, closing, the export. Another company's objects 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Company
from events.models import Series
from projects.errors import ProjectError

from .. import selectors
from ..errors import ChallengeError
from ..exports import applications_xlsx as build_applications_xlsx
from ..forms import ChallengeForm, PresentForm, SelectForm
from ..models import Application, Challenge, ChallengeAttachment
from ..services import (
    application_invite_present,
    application_select,
    application_shortlist,
    attachment_add,
    attachment_remove,
    challenge_close,
    challenge_create,
    challenge_submit,
    challenge_update,
)
from ..services.posting import EDITABLE
from .public import file_response


def _companies(request):
    if not request.user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=request.user)


def _own_challenge(request, pk: int) -> Challenge:
    return get_object_or_404(
        Challenge.objects.select_related("company", "series"), pk=pk, company__in=_companies(request)
    )


def _own_application(request, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("challenge__company", "team__lead"),
        pk=pk,
        challenge__company__in=_companies(request),
    )


def _series() -> Series | None:
    # The newest series is where companies post; the console can move a challenge if needed.
    return Series.objects.order_by("-year", "-id").first()


@login_required
@require_GET
@never_cache
def company_list(request):
    companies = list(_companies(request))
    if not companies:
        raise PermissionDenied
    return render(
        request,
        "challenges/company_list.html",
        {"companies": companies, "challenges": selectors.company_challenges([c.pk for c in companies])},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def challenge_edit(request, pk: int | None = None):
    challenge = _own_challenge(request, pk) if pk else None
    companies = list(_companies(request))
    if not companies:
        raise PermissionDenied
    if challenge is not None and challenge.status not in EDITABLE:
        messages.error(request, ChallengeError("not_editable").message)
        return redirect("challenges:company_challenge", challenge.pk)
    form = ChallengeForm(request.POST or None, instance=challenge)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {key: form.cleaned_data[key] for key in form.Meta.fields}
            try:
                if challenge is None:
                    wanted = request.POST.get("company", "")
                    company = next((c for c in companies if str(c.pk) == wanted), companies[0])
                    series = _series()
                    if series is None:
                        raise ChallengeError("invalid", detail=_("暂无系列活动"))
                    challenge = challenge_create(company=company, series=series, actor=request.user, data=data)
                else:
                    challenge = challenge_update(challenge=challenge, actor=request.user, data=data)
            except ChallengeError as error:
                messages.error(request, error.message)
                status = error.status_code
            else:
                messages.success(request, _("已保存草稿。可上传附件，确认无误后提交审核。"))
                return redirect("challenges:company_challenge", challenge.pk)
        else:
            status = 400
    return render(
        request,
        "challenges/company_form.html",
        {"form": form, "challenge": challenge, "companies": companies},
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def company_challenge(request, pk: int):
    challenge = _own_challenge(request, pk)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "submit":
                challenge_submit(challenge=challenge, actor=request.user)
                messages.success(request, _("已提交主办方审核。"))
            elif action == "attach":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ChallengeError("bad_file", detail=_("请选择文件"))
                attachment_add(challenge=challenge, actor=request.user, upload=upload)
                messages.success(request, _("附件已上传。"))
            elif action == "detach":
                attachment = get_object_or_404(
                    ChallengeAttachment, challenge=challenge, pk=_id(request.POST.get("attachment"))
                )
                attachment_remove(attachment=attachment, actor=request.user)
                messages.success(request, _("附件已删除。"))
            elif action == "close":
                challenge_close(challenge=challenge, actor=request.user)
                messages.success(request, _("已结束揭榜，未入选的申请人已收到通知。"))
            else:
                raise ChallengeError("invalid", detail=_("未知操作"))
        except ChallengeError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            return redirect("challenges:company_challenge", challenge.pk)
        challenge.refresh_from_db()
    shown, anonymous = selectors.followers(challenge)
    return render(
        request,
        "challenges/company_challenge.html",
        {
            "challenge": challenge,
            "applications": selectors.challenge_applications(challenge),
            "attachments": list(challenge.attachments.all()),
            "followers": shown,
            "anonymous_followers": anonymous,
            "editable": challenge.status in EDITABLE,
            "today": timezone.localdate(),
            "present_form": PresentForm(),
            "select_form": SelectForm(initial={"signed_on": timezone.localdate()}),
        },
        status=status,
    )


def _id(value) -> int:
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


@login_required
@require_POST
def application_act(request, pk: int):
    application = _own_application(request, pk)
    action = request.POST.get("action", "")
    try:
        if action == "shortlist":
            application_shortlist(application=application, actor=request.user)
            messages.success(request, _("已列入入围名单，并通知了该团队。"))
        elif action == "present":
            form = PresentForm(request.POST)
            if not form.is_valid():
                raise ChallengeError("date_invalid")
            application_invite_present(application=application, actor=request.user, **form.cleaned_data)
            messages.success(request, _("路演邀请已发送。"))
        elif action == "select":
            form = SelectForm(request.POST)
            if not form.is_valid():
                raise ChallengeError("invalid", detail="; ".join(e for errs in form.errors.values() for e in errs))
            application_select(application=application, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已选定揭榜团队，项目已签约。"))
        else:
            raise ChallengeError("invalid", detail=_("未知操作"))
    except (ChallengeError, ProjectError) as error:
        messages.error(request, error.message)
    return redirect("challenges:company_challenge", application.challenge_id)


@login_required
@require_GET
def application_cv(request, pk: int):
    """The lead's CV, only where the applicant shared it with this application, and still shares it."""
    application = _own_application(request, pk)
    profile = getattr(application.team.lead, "candidate_profile", None)
    if not application.share_cv or profile is None or not profile.cv or application.status == "withdrawn":
        raise Http404
    return file_response(profile.cv, f"cv-{application.pk}.pdf")


@login_required
@require_GET
@never_cache
def applications_xlsx(request, pk: int):
    challenge = _own_challenge(request, pk)
    body = build_applications_xlsx(challenge, selectors.challenge_applications(challenge))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="challenge-{challenge.pk}-applications.xlsx"'
    return response
