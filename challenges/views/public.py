"""The public challenge list and page; a candidate's follow, confidentiality, application (揭榜)
and own applications. Unlisted challenges and other people's applications answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Company
from projects.models import Team

from .. import selectors
from ..errors import ChallengeError
from ..forms import ApplicationForm, ChallengeFilterForm
from ..models import Application, Challenge, ChallengeAttachment
from ..permissions import (
    can_apply,
    can_see_application,
    can_see_details,
    can_see_unlisted,
    is_team_member,
    manages_all,
)
from ..services import (
    application_create,
    application_member_invite,
    application_update,
    application_withdraw,
    follow_toggle,
    nda_accept,
    nda_statement,
)


def visible_challenge(request, pk: int) -> Challenge:
    challenge = get_object_or_404(Challenge.objects.select_related("company", "series"), pk=pk)
    if not challenge.is_listed and not can_see_unlisted(request.user, challenge):
        raise Http404
    return challenge


def file_response(field, filename: str):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


_OPTIONS: dict[tuple[str, str], list[tuple[str, str]]] = {}


def _select_html(name: str, field, current: str) -> str:
    """A filter <select> written in Python: Django's widget templates render each of the
    hundred-odd disciplines through a template of its own, which was most of the list's time.
    The escaped options are kept per process and language (they are constants)."""
    from django.utils.translation import get_language

    key = (name, get_language() or "")
    if key not in _OPTIONS:
        _OPTIONS[key] = [
            (str(value), format_html('<option value="{}"{{}}>{}</option>', value, label))
            for value, label in field.choices
        ]
    options = "".join(html.replace("{}", " selected" if value == current else "") for value, html in _OPTIONS[key])
    return format_html(
        '<div><label class="visually-hidden" for="id_{0}">{1}</label><select name="{0}" id="id_{0}">{2}</select></div>',
        name,
        field.label,
        mark_safe(options),
    )


@require_GET
def challenge_list(request):
    form = ChallengeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        size = min(max(int(request.GET.get("per", selectors.PAGE_SIZE)), 5), 100)
    except ValueError:
        size = selectors.PAGE_SIZE
    page = selectors.page_of(selectors.public_challenges(filters), request.GET.get("page"), size=size)
    company = Company.objects.filter(pk=filters["company"]).first() if filters.get("company") else None
    query = request.GET.copy()
    query.pop("page", None)
    selects = mark_safe(
        "".join(
            _select_html(name, form.fields[name], request.GET.get(name, ""))
            for name in ("discipline", "budget", "district", "deadline")
        )
    )
    return render(
        request,
        "challenges/list.html",
        {
            "form": form,
            "selects": selects,
            "page": page,
            "filtered": any(filters.values()),
            "company": company,
            "query": query.urlencode(),
            "recommended": selectors.recommended_for(request.user, limit=3) if not request.GET else [],
        },
    )


@login_required
@require_GET
def recommended(request):
    return render(
        request,
        "challenges/recommended.html",
        {
            "challenges": selectors.recommended_for(request.user, limit=20),
            "has_profile": hasattr(request.user, "candidate_profile"),
        },
    )


@require_GET
def challenge_detail(request, pk: int):
    challenge = visible_challenge(request, pk)
    viewer = selectors.viewer_state(challenge, request.user)
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "viewer": viewer,
            "attachments": list(challenge.attachments.all()) if viewer.details else [],
            "statement": nda_statement() if challenge.details_confidential and not viewer.details else "",
            "can_apply": can_apply(request.user),
            "can_edit": can_see_unlisted(request.user, challenge),
        },
    )


@login_required
@require_POST
def follow(request, pk: int):
    challenge = visible_challenge(request, pk)
    try:
        now = follow_toggle(challenge=challenge, user=request.user)
    except ChallengeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已关注，截止前和同类新难题发布时会提醒您。") if now else _("已取消关注。"))
    return redirect(challenge)


@login_required
@require_POST
def confidentiality(request, pk: int):
    challenge = visible_challenge(request, pk)
    if request.POST.get("agree") != "1":
        messages.error(request, ChallengeError("nda_required").message)
        return redirect(challenge)
    try:
        nda_accept(challenge=challenge, user=request.user)
    except ChallengeError as error:
        messages.error(request, error.message)
    return redirect(challenge)


def _led_teams(user):
    return Team.objects.filter(lead=user).order_by("-created_at")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, pk: int):
    challenge = visible_challenge(request, pk)
    existing = Application.objects.filter(challenge=challenge, team__lead=request.user).first()
    if existing is not None:
        return redirect(existing)
    if not can_apply(request.user):
        messages.error(request, ChallengeError("not_candidate").message)
        return redirect(challenge)
    teams = list(_led_teams(request.user))
    form = ApplicationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        team = None
        wanted = request.POST.get("team", "")
        if wanted:
            team = next((t for t in teams if str(t.pk) == wanted), None)
            if team is None:
                raise Http404
        try:
            application = application_create(
                challenge=challenge,
                actor=request.user,
                data=form.cleaned_data,
                team=team,
                team_name=form.cleaned_data["team_name"],
                upload=form.cleaned_data.get("file"),
            )
        except ChallengeError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            messages.success(request, _("揭榜申请已提交。截止前可随时修改或邀请团队成员。"))
            return redirect(application)
    elif request.method == "POST":
        status = 400
    return render(
        request, "challenges/apply.html", {"challenge": challenge, "form": form, "teams": teams}, status=status
    )


def _my_application(request, pk: int) -> Application:
    """The team's page of its application (and head office's); companies use their own pages."""
    application = get_object_or_404(Application.objects.select_related("challenge__company", "team", "project"), pk=pk)
    if not (is_team_member(request.user, application) or manages_all(request.user)):
        raise Http404
    return application


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def application_page(request, pk: int):
    application = _my_application(request, pk)
    is_lead = application.team.lead_id == request.user.pk
    form = ApplicationForm(instance=application)
    status = 200
    if request.method == "POST":
        if not is_lead:
            raise Http404
        action = request.POST.get("action", "")
        try:
            if action == "update":
                form = ApplicationForm(request.POST, request.FILES, instance=Application.objects.get(pk=application.pk))
                if not form.is_valid():
                    raise ChallengeError("invalid", detail=_("请检查表单"))
                application_update(
                    application=application,
                    actor=request.user,
                    data=form.cleaned_data,
                    upload=form.cleaned_data.get("file"),
                )
                messages.success(request, _("已保存。"))
            elif action == "invite":
                application_member_invite(
                    application=application,
                    actor=request.user,
                    email=request.POST.get("email", ""),
                    accept_url=lambda token: request.build_absolute_uri(reverse("projects:invitation", args=[token])),
                )
                messages.success(request, _("邀请邮件已发送。"))
            elif action == "withdraw":
                application_withdraw(application=application, actor=request.user)
                messages.info(request, _("已撤回揭榜申请。截止前可重新提交。"))
            else:
                raise ChallengeError("invalid", detail=_("未知操作"))
        except ChallengeError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            return redirect(application)
        application.refresh_from_db()
    members = list(application.team.members.select_related("user").order_by("-is_lead", "invited_at"))
    return render(
        request,
        "challenges/application.html",
        {
            "application": application,
            "challenge": application.challenge,
            "form": form,
            "is_lead": is_lead,
            "members": members,
        },
        status=status,
    )


@login_required
@require_GET
def proposal_download(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("challenge"), pk=pk)
    if not can_see_application(request.user, application) or not application.proposal_pdf:
        raise Http404
    return file_response(application.proposal_pdf, f"proposal-{application.pk}.pdf")


@require_GET
def attachment_download(request, pk: int):
    attachment = get_object_or_404(ChallengeAttachment.objects.select_related("challenge"), pk=pk)
    if not can_see_details(request.user, attachment.challenge):
        raise Http404
    return file_response(attachment.file, attachment.name)


@login_required
@require_GET
def my_applications(request):
    return render(request, "challenges/mine.html", {"applications": selectors.my_applications(request.user)})
