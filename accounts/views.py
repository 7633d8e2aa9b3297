"""A person's own pages: profile, CV, their data, deleting the account, their company."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .forms import AccountDeleteForm, CandidateProfileForm, CompanyForm
from .models import CandidateProfile, Company, User
from .services import AccountError, account_delete, candidate_profile_save, company_create, personal_data_export


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def profile(request):
    user = request.user
    if user.role != User.Role.CANDIDATE:
        companies = Company.objects.filter(memberships__user=user)
        return render(request, "accounts/profile_other.html", {"companies": companies})
    existing = CandidateProfile.objects.filter(user=user).first()
    form = CandidateProfileForm(request.POST or None, request.FILES or None, instance=existing)
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            if data["cv"] is None and existing is not None:
                data.pop("cv")  # no new upload: keep the stored CV
            elif data["cv"] is False:
                data["cv"] = ""  # "clear" ticked
            try:
                candidate_profile_save(user=user, data=data)
            except AccountError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("资料已保存。"))
                return redirect(_safe_next(request, "accounts:profile"))
        return render(request, "accounts/profile.html", {"form": form, "profile": existing}, status=400)
    return render(request, "accounts/profile.html", {"form": form, "profile": existing})


@login_required
@require_GET
def cv_download(request):
    profile = CandidateProfile.objects.filter(user=request.user).first()
    if profile is None or not profile.cv:
        raise Http404
    return FileResponse(profile.cv.open("rb"), as_attachment=True, filename="cv.pdf", content_type="application/pdf")


@login_required
def my_data(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            logout(request)
            account_delete(user=user)
            messages.success(request, _("您的账户和个人数据已删除。"))
            return redirect("events:home")
        status = 400
    else:
        status = 200
    data = personal_data_export(user=request.user)
    return render(request, "accounts/data.html", {
        "form": form, "data_json": json.dumps(data, ensure_ascii=False, indent=2),
    }, status=status)


@login_required
@require_GET
def my_data_json(request):
    body = json.dumps(personal_data_export(user=request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="boju-my-data.json"'
    return response


@login_required
def company_new(request):
    if request.user.is_organizer or hasattr(request.user, "candidate_profile"):
        messages.error(request, _("候选人和主办方账号不能注册用人单位，请使用单位工作邮箱另行注册。"))
        return redirect("accounts:profile")
    form = CompanyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            company = company_create(admin=request.user, data=form.cleaned_data)
            messages.success(request, _("单位已提交，等待主办方审核。"))
            return redirect("accounts:company", company.pk)
        return render(request, "accounts/company_form.html", {"form": form}, status=400)
    return render(request, "accounts/company_form.html", {"form": form})


@login_required
@require_GET
def company_detail(request, pk: int):
    company = get_object_or_404(Company.objects.filter(memberships__user=request.user), pk=pk)
    return render(request, "accounts/company.html", {
        "company": company, "members": company.memberships.select_related("user"),
    })
