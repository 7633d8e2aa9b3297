"""Writes on people and companies. Every function is keyword-only and leaves an audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.kinds import kind_register
from notifications.services import notify_many

from .models import AuditEntry, CandidateProfile, Company, CompanyMembership, User


class AccountError(Exception):
    """A refused account operation; `code` is machine readable, `message` is for people."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


# A target that is a person, or belongs to one (a registration, a visit...), is named by id only:
# the audit trail outlives the person (erasure), and must not keep their name (issue 13).
PERSONAL_LINKS = ("user_id", "visitor_id")


def audit_repr(target: models.Model) -> str:
    if isinstance(target, (User, CandidateProfile)) or any(hasattr(target, link) for link in PERSONAL_LINKS):
        return f"{target._meta.model_name}#{target.pk}"
    return str(target)[:200]


def audit_log(
    *, actor: User | None, action: str, target: models.Model | None = None, data: dict | None = None
) -> AuditEntry:
    actor = actor if actor is not None and actor.pk else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_ref=actor.pk if actor is not None else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=audit_repr(target) if target is not None else "",
        data=data or {},
    )


def candidate_profile_save(*, user: User, data: dict[str, Any]) -> CandidateProfile:
    """Create or update the candidate's profile from cleaned form data.

    Side effect: a CV that was replaced or cleared is removed from storage after commit
    (a CV is personal data; no copy may outlive the person's choice).
    """
    with transaction.atomic():
        profile = CandidateProfile.objects.select_for_update().filter(user=user).first()
        created = profile is None
        if created:
            profile = CandidateProfile(user=user)
        consent_before = profile.consent_share
        cv_before = profile.cv.name or ""
        for field, value in data.items():
            setattr(profile, field, value)
        if "cv" in data:  # the original name stays in the database only; the file gets a random one
            profile.cv_name = str(getattr(data["cv"], "name", "") or "")[:200] if data["cv"] else ""
        if created or consent_before != profile.consent_share:
            profile.consent_changed_at = timezone.now()
        try:
            profile.full_clean()
        except ValidationError as error:
            raise AccountError("invalid", "; ".join(error.messages)) from error
        profile.save()
        if cv_before and profile.cv.name != cv_before:
            storage = profile.cv.storage
            transaction.on_commit(lambda: storage.delete(cv_before))
        if profile.full_name and user.name != profile.full_name:
            user.name = profile.full_name
            user.save(update_fields=["name"])
        audit_log(
            actor=user,
            action="profile.create" if created else "profile.update",
            target=profile,
            data={"consent_share": profile.consent_share},
        )
    return profile


# Other apps add what they hold about a person (registrations, bookings...) to the export and
# clean it up on erasure; accounts cannot import them, so they register here in ready().
PersonalDataExporter = Callable[[User], dict[str, Any]]
PersonalDataEraser = Callable[[User], None]
_exporters: list[PersonalDataExporter] = []
_erasers: list[PersonalDataEraser] = []


def personal_data_register(
    *, exporter: PersonalDataExporter | None = None, eraser: PersonalDataEraser | None = None
) -> None:
    if exporter is not None and exporter not in _exporters:
        _exporters.append(exporter)
    if eraser is not None and eraser not in _erasers:
        _erasers.append(eraser)


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything Boju holds about `user`, as JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
        },
        "candidate_profile": None,
        "companies": [
            {"company": m.company.name, "role": m.role} for m in user.company_memberships.select_related("company")
        ],
    }
    profile = CandidateProfile.objects.filter(user=user).first()
    if profile is not None:
        data["candidate_profile"] = {
            "full_name": profile.full_name,
            "phone": profile.phone,
            "degree": profile.degree,
            "postdoc_status": profile.postdoc_status,
            "institution": profile.institution,
            "discipline": profile.discipline,
            "research_field": profile.research_field,
            "province": profile.province,
            "university_type": profile.university_type,
            "graduation_year": profile.graduation_year,
            "cv": profile.cv_name or (profile.cv.name and "cv.pdf") or None,
            "consent_share": profile.consent_share,
            "consent_changed_at": profile.consent_changed_at.isoformat() if profile.consent_changed_at else None,
        }
    for exporter in _exporters:
        data.update(exporter(user))
    return data


def account_delete(*, user: User) -> None:
    """Erase the account and everything personal attached to it.

    Other apps first release what the person holds (a seat goes to the waiting list);
    the audit trail keeps the actions but loses the link to the person.
    Side effect: the CV file is removed from storage after the transaction commits.
    """
    from notifications.outbox import outbox_erase_email

    from .models import CompanyInvitation

    with transaction.atomic():
        for eraser in _erasers:
            eraser(user)
        profile = CandidateProfile.objects.filter(user=user).first()
        cv_name = profile.cv.name if profile and profile.cv else ""
        # Invitations to this address (pending or accepted) and mails still waiting for it.
        CompanyInvitation.objects.filter(email__iexact=user.email).delete()
        outbox_erase_email(user.email)
        _audit_scrub(user, profile)
        audit_log(actor=None, action="account.delete", data={"user_id": user.pk})
        if cv_name:
            storage = profile.cv.storage
            transaction.on_commit(lambda: storage.delete(cv_name))
        user.delete()


def _audit_scrub(user: User, profile: CandidateProfile | None) -> None:
    """The audit trail keeps what was done and by which id, never the name or address: entries
    written before audit_repr() existed (or data a service put there) lose any trace of them."""
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    needles = {
        n
        for n in (user.email, user.name, profile.full_name if profile else "", getattr(profile, "phone", ""))
        if n and len(n) >= 2
    }
    if not needles:
        return
    text_match = Q()
    for needle in needles:
        text_match |= Q(target_repr__icontains=needle) | Q(data_text__icontains=needle)
    rows = AuditEntry.objects.annotate(data_text=Cast("data", TextField())).filter(text_match)
    for entry in rows:
        entry.target_repr = f"#{entry.target_id}" if entry.target_id else ""
        if any(needle.lower() in str(entry.data).lower() for needle in needles):
            entry.data = {"erased": True}
        entry.save(update_fields=["target_repr", "data"])


def company_create(*, admin: User, data: dict[str, Any]) -> Company:
    """A new company, pending verification, with `admin` as its first admin member."""
    with transaction.atomic():
        company = Company(**data)
        company.credit_code = company.credit_code.strip().upper()
        company.full_clean()
        company.save()
        CompanyMembership.objects.create(company=company, user=admin, role=CompanyMembership.Role.ADMIN)
        if admin.role == User.Role.CANDIDATE and not hasattr(admin, "candidate_profile"):
            admin.role = User.Role.COMPANY
            admin.save(update_fields=["role"])
        audit_log(actor=admin, action="company.create", target=company)
        _tell_organizers_company_pending(company)
    return company


# Organizers are told when a company awaits verification (written with the company; e-mailed on commit).
kind_register("company.pending", label=_("新单位待审核"), audience="organizer", order=60)


# Who verifies companies: head office, i.e. organizers who run the whole programme (the
# permission events.manage_all_events, named by string so accounts imports nothing of events)
# and superusers. A partner organizer scoped to some events may not: verification unlocks every
# fair, and the list shows every company's members' e-mail addresses.
HEAD_OFFICE_PERMISSION = "events.manage_all_events"


def is_head_office(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_organizer and user.has_perm(HEAD_OFFICE_PERMISSION)
    )


def head_office_users():
    from django.contrib.auth.backends import ModelBackend

    return (
        ModelBackend()
        .with_perm(HEAD_OFFICE_PERMISSION)
        .filter(is_active=True)
        .filter(models.Q(role=User.Role.ORGANIZER) | models.Q(is_superuser=True))
    )


def _tell_organizers_company_pending(company: Company) -> None:
    reviewers = head_office_users()
    notify_many(
        users=list(reviewers.only("pk", "email", "language", "is_active")),
        kind="company.pending",
        context={
            "company_id": company.pk,
            "company_name": company.name,
            "credit_code": company.credit_code,
            "target": f"company:{company.pk}",
            "url": "/console/companies/",
        },
    )


def company_verify(*, company: Company, actor: User, approve: bool = True) -> Company:
    if not is_head_office(actor):
        raise AccountError("forbidden", _("只有主办方总部（可管理全部活动的主办方）可以审核用人单位。"))
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        company.status = Company.Status.VERIFIED if approve else Company.Status.REJECTED
        company.verified_at = timezone.now() if approve else None
        company.verified_by = actor
        company.save(update_fields=["status", "verified_at", "verified_by"])
        audit_log(actor=actor, action="company.verify" if approve else "company.reject", target=company)
    return company


# --- company logo and colleagues -------------------------------------------------------------

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 512  # stored logos are at most this wide and high
LOGO_MAX_PIXELS = 25_000_000  # more than any real logo; a bigger header is a decompression bomb
INVITATION_DAYS = 14


def image_png_checked(upload, *, max_side: int = LOGO_MAX_SIDE, max_bytes: int = LOGO_MAX_BYTES) -> bytes:
    """The upload decoded, checked and re-encoded as a PNG of at most `max_side` pixels a side.

    Re-encoding drops whatever else the file carried (scripts in an SVG-like payload, EXIF with
    GPS, trailing data). Raises AccountError: logo_too_large / logo_not_image / logo_bomb.
    """
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    # Pillow refuses to open images above twice this limit and warns above it; both are refusals.
    Image.MAX_IMAGE_PIXELS = LOGO_MAX_PIXELS
    if upload.size > max_bytes:
        raise AccountError("logo_too_large", _("图片文件不能超过 %(mb)d MB。") % {"mb": max_bytes // (1024 * 1024)})
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                    raise AccountError("logo_not_image", _("只接受 PNG、JPEG、GIF 或 WebP 图片。"))
                if image.width * image.height > LOGO_MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                image.load()
                image = image.convert("RGBA")
                image.thumbnail((max_side, max_side))
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AccountError(
            "logo_bomb",
            _("图片像素尺寸过大（可能是恶意构造的文件），无法处理，请上传 %(side)d×%(side)d 像素以内的图片。")
            % {"side": max_side},
        ) from None
    except AccountError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise AccountError("logo_not_image", _("只接受 PNG、JPEG、GIF 或 WebP 图片，该文件无法识别为图片。")) from None
    return out.getvalue()


def company_is_admin(user: User, company: Company) -> bool:
    return (
        CompanyMembership.objects.filter(company=company, user=user, role=CompanyMembership.Role.ADMIN).exists()
        if user.is_authenticated
        else False
    )


def company_logo_set(*, company: Company, actor: User, upload) -> Company:
    """Store `upload` (checked and re-encoded) as the company's logo; an admin only.

    Side effect: the previous logo file is removed from storage after commit.
    """
    from django.core.files.base import ContentFile

    if not company_is_admin(actor, company):
        raise AccountError("forbidden", _("只有单位管理员可以修改单位资料。"))
    png = image_png_checked(upload)
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        before = company.logo.name or ""
        company.logo.save(f"company-{company.pk}.png", ContentFile(png), save=False)
        company.save(update_fields=["logo"])
        if before and before != company.logo.name:
            storage = company.logo.storage
            transaction.on_commit(lambda: storage.delete(before))
        audit_log(actor=actor, action="company.logo", target=company)
    return company


def company_invite_create(*, company: Company, actor: User, email: str, accept_url: Callable[[str], str]):
    """Invite a colleague by e-mail. `accept_url(token)` builds the absolute link for the mail.

    Side effect: the invitation e-mail is written to the outbox with the invitation (one
    transaction) and sent by the worker: a mail server that fails delays it, never the request.
    Raises AccountError: forbidden / already_member.
    """
    import secrets

    from django.utils.translation import gettext

    from notifications.outbox import outbox_mail_add

    from .models import CompanyInvitation

    if not company_is_admin(actor, company):
        raise AccountError("forbidden", _("只有单位管理员可以邀请同事。"))
    email = email.strip().lower()
    if CompanyMembership.objects.filter(company=company, user__email__iexact=email).exists():
        raise AccountError("already_member", _("该邮箱已是本单位成员。"))
    with transaction.atomic():
        invitation = CompanyInvitation.objects.create(
            company=company, email=email, token=secrets.token_urlsafe(32), invited_by=actor
        )
        audit_log(actor=actor, action="company.invite", target=company, data={"invitation_id": invitation.pk})
        link = accept_url(invitation.token)
        subject = gettext("【博聚】%(name)s 邀请您加入单位") % {"name": company.name}
        body = gettext(
            "%(who)s 邀请您以工作人员身份加入“%(name)s”，在博聚上预订展位、发布岗位、扫码记录到访者。\n"
            "请在 %(days)d 天内打开下面的链接并用本邮箱登录或注册后接受邀请：\n%(link)s\n"
        ) % {"who": actor.display_name, "name": company.name, "days": INVITATION_DAYS, "link": link}
        outbox_mail_add(to=email, subject=subject, body=body)
    return invitation


def company_invite_accept(*, token: str, user: User) -> CompanyMembership:
    """Join the inviting company as staff. The signed-in e-mail must be the invited one.

    Raises AccountError: invalid / expired / wrong_user / not_allowed.
    """
    from datetime import timedelta

    from .models import CompanyInvitation

    with transaction.atomic():
        invitation = CompanyInvitation.objects.select_for_update().filter(token=token).first()
        if invitation is None or invitation.accepted_at is not None:
            raise AccountError("invalid", _("邀请链接无效或已被使用。"))
        if invitation.created_at < timezone.now() - timedelta(days=INVITATION_DAYS):
            raise AccountError("expired", _("邀请链接已过期，请联系单位管理员重新邀请。"))
        if user.email.lower() != invitation.email.lower():
            raise AccountError(
                "wrong_user", _("该邀请发给 %(email)s，请用该邮箱登录后再接受。") % {"email": invitation.email}
            )
        if user.is_organizer or hasattr(user, "candidate_profile"):
            raise AccountError("not_allowed", _("候选人和主办方账号不能加入用人单位，请使用单位工作邮箱另行注册。"))
        membership, _created = CompanyMembership.objects.get_or_create(
            company=invitation.company, user=user, defaults={"role": CompanyMembership.Role.STAFF}
        )
        if user.role != User.Role.COMPANY:
            user.role = User.Role.COMPANY
            user.save(update_fields=["role"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_log(actor=user, action="company.join", target=invitation.company, data={"invitation_id": invitation.pk})
    return membership


def company_profile_save(*, company: Company, actor: User, data: dict[str, Any]) -> Company:
    """An admin updates the company's description, website and contact."""
    if not company_is_admin(actor, company):
        raise AccountError("forbidden", _("只有单位管理员可以修改单位资料。"))
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        for field in ("description", "website", "contact"):
            if field in data:
                setattr(company, field, data[field])
        company.save(update_fields=["description", "website", "contact"])
        audit_log(actor=actor, action="company.profile", target=company)
    return company
