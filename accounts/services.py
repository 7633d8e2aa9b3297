"""Writes on people and companies. Every function is keyword-only and leaves an audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, CandidateProfile, Company, CompanyMembership, User


class AccountError(Exception):
    """A refused account operation; `code` is machine readable, `message` is for people."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


def audit_log(*, actor: User | None, action: str, target: models.Model | None = None, data: dict | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
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


def personal_data_register(*, exporter: PersonalDataExporter | None = None, eraser: PersonalDataEraser | None = None) -> None:
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
            {"company": m.company.name, "role": m.role}
            for m in user.company_memberships.select_related("company")
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
            "graduation_year": profile.graduation_year,
            "cv": profile.cv.name or None,
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
    with transaction.atomic():
        for eraser in _erasers:
            eraser(user)
        profile = CandidateProfile.objects.filter(user=user).first()
        cv_name = profile.cv.name if profile and profile.cv else ""
        audit_log(actor=None, action="account.delete", data={"user_id": user.pk})
        if cv_name:
            storage = profile.cv.storage
            transaction.on_commit(lambda: storage.delete(cv_name))
        user.delete()


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
    return company


def company_verify(*, company: Company, actor: User, approve: bool = True) -> Company:
    if not actor.is_organizer:
        raise AccountError("forbidden", _("只有主办方可以审核用人单位。"))
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        company.status = Company.Status.VERIFIED if approve else Company.Status.REJECTED
        company.verified_at = timezone.now() if approve else None
        company.verified_by = actor
        company.save(update_fields=["status", "verified_at", "verified_by"])
        audit_log(actor=actor, action="company.verify" if approve else "company.reject", target=company)
    return company
