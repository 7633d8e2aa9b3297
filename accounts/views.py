"""A person's own pages: profile, CV, their data, deleting the account, their company."""

import json
import posixpath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.static import serve

from config.inputs import safe_next
from notifications.kinds import UnknownKind, kind_get
from notifications.models import EmailDelivery

from .disciplines import DISCIPLINES
from .forms import (
    AccountDeleteForm,
    CandidateProfileForm,
    CompanyForm,
    CompanyInviteForm,
    CompanyLogoForm,
    CompanyProfileForm,
)
from .models import CandidateProfile, Company, Degree, PostdocStatus, User
from .services import (
    AccountError,
    account_delete,
    candidate_profile_save,
    company_create,
    company_invite_accept,
    company_invite_create,
    company_is_admin,
    company_logo_set,
    company_profile_save,
    personal_data_export,
)

# Labels for what personal_data_export returns; keys other apps add show as they are.
SECTION_LABELS = {
    "account": gettext_lazy("账户"),
    "candidate_profile": gettext_lazy("候选人资料"),
    "companies": gettext_lazy("所属单位"),
    "registrations": gettext_lazy("活动报名"),
    "booth_visits": gettext_lazy("招聘会展位到访"),
    "shortlist": gettext_lazy("招聘会关注的单位"),
    "calendar_feed": gettext_lazy("日历订阅"),
    "notifications": gettext_lazy("消息"),
    "notification_preferences": gettext_lazy("消息邮件偏好"),
    "reminders_sent": gettext_lazy("已发送的提醒"),
    "tickets": gettext_lazy("电子票"),
    "checkins": gettext_lazy("签到记录"),
    "ticket_scans": gettext_lazy("电子票扫码记录"),
    "scans_made_at_the_door": gettext_lazy("我在入口的扫码"),
    "booth_scans_made": gettext_lazy("我在展位的扫码"),
}
KEY_LABELS = {
    "email": gettext_lazy("电子邮箱"),
    "name": gettext_lazy("姓名"),
    "role": gettext_lazy("角色"),
    "language": gettext_lazy("语言"),
    "date_joined": gettext_lazy("注册时间"),
    "company": gettext_lazy("单位"),
    "event": gettext_lazy("活动"),
    "event_id": gettext_lazy("活动编号"),
    "status": gettext_lazy("状态"),
    "created_at": gettext_lazy("创建时间"),
    "cancelled_at": gettext_lazy("取消时间"),
    "consent_changed_at": gettext_lazy("授权变更时间"),
    "subscription_link": gettext_lazy("个人订阅链接"),
    "kind": gettext_lazy("类型"),
    "title": gettext_lazy("标题"),
    "body": gettext_lazy("内容"),
    "url": gettext_lazy("链接"),
    "read_at": gettext_lazy("已读时间"),
    "email_status": gettext_lazy("邮件状态"),
    "email_attempts": gettext_lazy("邮件发送次数"),
    "email_sent_at": gettext_lazy("邮件发送时间"),
    "email_error": gettext_lazy("邮件错误"),
    "by_email": gettext_lazy("同时发邮件"),
    "updated_at": gettext_lazy("更新时间"),
    "about": gettext_lazy("提醒对象"),
    "offset": gettext_lazy("提前"),
    "sent_at": gettext_lazy("发送时间"),
    "ticket_number": gettext_lazy("票号"),
    "issued_at": gettext_lazy("出票时间"),
    "list": gettext_lazy("签到名单"),
    "scanned_at": gettext_lazy("扫码时间"),
    "gate": gettext_lazy("入口"),
    "offline": gettext_lazy("离线扫码"),
    "result": gettext_lazy("结果"),
    "duplicate": gettext_lazy("重复扫码"),
    "booth": gettext_lazy("展位"),
    "first_seen_at": gettext_lazy("到访时间"),
    "last_seen_at": gettext_lazy("最近扫码"),
    "scans": gettext_lazy("扫码次数"),
    "shared": gettext_lazy("同意展示资料"),
    "rating": gettext_lazy("评分"),
    "note": gettext_lazy("备注"),
}

# Stored codes shown with their names on the page (the JSON keeps the codes).
VALUE_NAMES = {
    "role": dict(User.Role.choices),
    "language": dict(settings.LANGUAGES),
    "degree": dict(Degree.choices),
    "postdoc_status": dict(PostdocStatus.choices),
    "discipline": dict(DISCIPLINES),
    "email_status": dict(EmailDelivery.Status.choices),
}


def _value(key: str, value):
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "kind" and isinstance(value, str):
        try:
            return kind_get(value).label  # kinds are declared in ready(), after this module loads
        except UnknownKind:
            return value
    return VALUE_NAMES.get(key, {}).get(value, value) if isinstance(value, str) else value


def _label(key: str):
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    try:
        return CandidateProfile._meta.get_field(key).verbose_name
    except FieldDoesNotExist:
        return key


def _data_sections(data: dict) -> list[dict]:
    """The export as headed sections: a dict becomes label/value pairs, a list a table."""
    sections = []
    for key, value in data.items():
        section = {"title": SECTION_LABELS.get(key, key), "pairs": None, "columns": None, "rows": None}
        if isinstance(value, dict):
            section["pairs"] = [(_label(k), _value(k, v)) for k, v in value.items()]
        elif isinstance(value, list):
            columns = list(dict.fromkeys(k for item in value if isinstance(item, dict) for k in item))
            section["columns"] = [_label(k) for k in columns]
            section["rows"] = [
                [_value(k, item.get(k)) for k in columns] if isinstance(item, dict) else [item] for item in value
            ]
        elif value is not None:
            section["pairs"] = [("", value)]
        sections.append(section)
    return sections


def _safe_next(request) -> str:
    """The local path `next` the person came from, or "" when it is missing, points elsewhere or
    is not a path (a bare "foo" made redirect() look it up as a URL name: a 500 after saving)."""
    return safe_next(request)


def _profile_data(form: CandidateProfileForm, existing: CandidateProfile | None) -> dict:
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    cv = data["cv"]
    if cv is False:
        data["cv"] = ""  # "clear" ticked
    elif not isinstance(cv, UploadedFile):
        data.pop("cv")  # no new upload: leave the stored CV alone
    return data


@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def profile(request):
    user = request.user
    if user.role != User.Role.CANDIDATE:
        companies = Company.objects.filter(memberships__user=user).order_by("name")
        return render(request, "accounts/profile_other.html", {"companies": companies})
    existing = CandidateProfile.objects.filter(user=user).first()
    next_url = _safe_next(request)
    # The name given at sign-up fills the first profile: nobody is asked for it twice.
    initial = {"full_name": user.name} if existing is None else None
    form = CandidateProfileForm(request.POST or None, request.FILES or None, instance=existing, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                candidate_profile_save(user=user, data=_profile_data(form, existing))
            except AccountError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("资料已保存。"))
                return redirect(next_url or "accounts:profile")
        status = 400
        # A refused form has written its values onto the instance; show what is stored.
        existing = CandidateProfile.objects.filter(user=user).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "profile": existing,
            "next": next_url,
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def cv_download(request):
    """The signed-in candidate's own CV; there is no URL that names someone else's."""
    profile = CandidateProfile.objects.filter(user=request.user).first()
    if profile is None or not profile.cv:
        raise Http404
    try:
        handle = profile.cv.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=profile.cv_name or "cv.pdf", content_type="application/pdf"
    )


def media_dev(request, path: str):
    """Uploaded media for the development server (DEBUG only), except CVs.

    CVs are personal: they leave only through cv_download, which checks the owner. The path is
    normalised first so that "x/../cv/..." cannot reach them either.
    """
    if posixpath.normpath("/" + path).lstrip("/").split("/")[0].lower() == "cv":
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def my_data(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            account_delete(user=request.user)
            logout(request)
            messages.success(request, _("您的账户和个人数据已删除。"))
            return redirect("events:home")
        status = 400
    data = personal_data_export(user=request.user)
    return render(
        request,
        "accounts/data.html",
        {
            "form": form,
            "sections": _data_sections(data),
            "data_json": json.dumps(data, ensure_ascii=False, indent=2),
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def my_data_json(request):
    body = json.dumps(personal_data_export(user=request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="boju-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def company_new(request):
    user = request.user
    if user.is_organizer or (user.role == User.Role.CANDIDATE and hasattr(user, "candidate_profile")):
        messages.error(request, _("候选人和主办方账号不能注册用人单位，请使用单位工作邮箱另行注册。"))
        return redirect("accounts:profile")
    form = CompanyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                company = company_create(admin=user, data=form.cleaned_data)
            except (ValidationError, IntegrityError):
                # Someone registered the same code between our check and the insert.
                form.add_error("credit_code", CompanyForm._meta.error_messages["credit_code"]["unique"])
            else:
                messages.success(request, _("单位已提交，等待主办方审核。"))
                return redirect("accounts:company", company.pk)
        return render(request, "accounts/company_form.html", {"form": form}, status=400)
    return render(request, "accounts/company_form.html", {"form": form})


@login_required
@require_GET
def company_detail(request, pk: int):
    company = get_object_or_404(Company.objects.filter(memberships__user=request.user), pk=pk)
    return _company_page(request, company)


def _company_page(request, company, *, logo_form=None, invite_form=None, status=200):
    members = company.memberships.select_related("user").order_by("role", "created_at")  # admins first
    is_admin = company_is_admin(request.user, company)
    return render(
        request,
        "accounts/company.html",
        {
            "company": company,
            "members": members,
            "is_admin": is_admin,
            "logo_form": logo_form or CompanyLogoForm(),
            "invite_form": invite_form or CompanyInviteForm(),
            "invitations": company.invitations.filter(accepted_at__isnull=True)[:20] if is_admin else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request, pk: int):
    company = get_object_or_404(Company.objects.filter(memberships__user=request.user), pk=pk)
    if not company_is_admin(request.user, company):
        raise Http404
    form = CompanyProfileForm(request.POST or None, instance=company)
    if request.method == "POST":
        if form.is_valid():
            company_profile_save(company=company, actor=request.user, data=form.cleaned_data)
            messages.success(request, _("单位资料已保存。"))
            return redirect("accounts:company", company.pk)
        company.refresh_from_db()
        return render(request, "accounts/company_edit.html", {"form": form, "company": company}, status=400)
    return render(request, "accounts/company_edit.html", {"form": form, "company": company})


@login_required
@require_http_methods(["POST"])
def company_logo(request, pk: int):
    company = get_object_or_404(Company.objects.filter(memberships__user=request.user), pk=pk)
    form = CompanyLogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            company_logo_set(company=company, actor=request.user, upload=form.cleaned_data["logo"])
        except AccountError as error:
            form.add_error("logo", error.message)
            return _company_page(request, company, logo_form=form, status=403 if error.code == "forbidden" else 400)
        messages.success(request, _("单位标志已更新。"))
        return redirect("accounts:company", company.pk)
    return _company_page(request, company, logo_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def company_invite(request, pk: int):
    company = get_object_or_404(Company.objects.filter(memberships__user=request.user), pk=pk)
    form = CompanyInviteForm(request.POST)
    if form.is_valid():
        try:
            company_invite_create(
                company=company,
                actor=request.user,
                email=form.cleaned_data["email"],
                accept_url=lambda token: request.build_absolute_uri(reverse("accounts:company_join", args=[token])),
            )
        except AccountError as error:
            form.add_error("email", error.message)
            return _company_page(request, company, invite_form=form, status=403 if error.code == "forbidden" else 400)
        messages.success(request, _("邀请邮件已发送至 %(email)s。") % {"email": form.cleaned_data["email"]})
        return redirect("accounts:company", company.pk)
    return _company_page(request, company, invite_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def company_join(request, token: str):
    from .models import CompanyInvitation

    invitation = CompanyInvitation.objects.select_related("company").filter(token=token).first()
    if request.method == "POST":
        try:
            membership = company_invite_accept(token=token, user=request.user)
        except AccountError as error:
            messages.error(request, error.message)
            return render(request, "accounts/company_join.html", {"invitation": invitation}, status=400)
        messages.success(request, _("您已加入 %(name)s。") % {"name": membership.company.name})
        return redirect("accounts:company", membership.company_id)
    if invitation is None or invitation.accepted_at is not None:
        raise Http404
    return render(request, "accounts/company_join.html", {"invitation": invitation})
