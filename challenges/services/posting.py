"""A company's side before applications: post, edit, submit for review, attachments; the
organizers' review and publication; a candidate's confidentiality acceptance and following."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Company
from accounts.services import audit_log
from accounts.validators import validate_cv
from notifications.services import notify_many

from ..errors import ChallengeError
from ..models import Challenge, ChallengeAttachment, ConfidentialityAcceptance, Follow
from ..permissions import can_review, is_company_member
from .common import company_user_ids, context_of, reviewer_ids, search_text_for, wan

S = Challenge.Status
EDITABLE = (S.DRAFT, S.RETURNED)
FIELDS = [
    "title",
    "discipline",
    "district",
    "keywords",
    "summary",
    "problem",
    "outcome",
    "acceptance",
    "details_confidential",
    "budget_min_wan",
    "budget_max_wan",
    "winners_max",
    "deadline",
]
MAX_ATTACHMENTS = 5


def nda_statement() -> str:
    return gettext(
        "本人承诺：对本难题的技术详情和附件严格保密，仅用于准备揭榜方案，不向任何第三方披露或用于其他用途；"
        "如违反，愿承担相应法律责任。"
    )


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    data = {k: data[k] for k in FIELDS if k in data}
    low = wan(data.get("budget_min_wan"), code="budget_invalid")
    high = wan(data.get("budget_max_wan"), code="budget_invalid")
    if low > high:
        raise ChallengeError("budget_invalid")
    data["budget_min_wan"], data["budget_max_wan"] = low, high
    try:
        winners = int(data.get("winners_max"))
    except (TypeError, ValueError):
        raise ChallengeError("winners_invalid") from None
    if not 1 <= winners <= 20:
        raise ChallengeError("winners_invalid")
    data["winners_max"] = winners
    deadline = data.get("deadline")
    now = timezone.now()
    if deadline is None or not (now + timedelta(days=1) <= deadline <= now + timedelta(days=366)):
        raise ChallengeError("deadline_invalid")
    for key in ("title", "summary", "problem", "outcome", "acceptance", "keywords"):
        data[key] = (data.get(key) or "").strip()
    data["details_confidential"] = bool(data.get("details_confidential"))
    return data


def _validated(challenge: Challenge) -> None:
    try:
        challenge.full_clean(exclude=["series", "company", "created_by", "reviewed_by", "search_text"])
    except ValidationError as error:
        raise ChallengeError("invalid", detail="; ".join(error.messages)) from error


def challenge_create(*, company: Company, series, actor, data: dict[str, Any]) -> Challenge:
    """A draft challenge of `company`. Raises ChallengeError: forbidden / not_verified / invalid / *_invalid."""
    if not is_company_member(actor, company.pk):
        raise ChallengeError("forbidden")
    if not company.is_verified:
        raise ChallengeError("not_verified")
    data = _clean(data)
    with transaction.atomic():
        challenge = Challenge(series=series, company=company, created_by=actor, **data)
        _validated(challenge)
        challenge.search_text = search_text_for(challenge)
        challenge.save()
        audit_log(actor=actor, action="challenge.create", target=challenge)
    return challenge


def challenge_update(*, challenge: Challenge, actor, data: dict[str, Any]) -> Challenge:
    """Edit a draft or a returned challenge. Raises ChallengeError: forbidden / not_editable / invalid."""
    if not is_company_member(actor, challenge.company_id):
        raise ChallengeError("forbidden")
    data = _clean(data)
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().select_related("company").get(pk=challenge.pk)
        if challenge.status not in EDITABLE:
            raise ChallengeError("not_editable")
        for key, value in data.items():
            setattr(challenge, key, value)
        _validated(challenge)
        challenge.search_text = search_text_for(challenge)
        challenge.updated_at = timezone.now()
        challenge.save()
        audit_log(actor=actor, action="challenge.update", target=challenge)
    return challenge


def challenge_submit(*, challenge: Challenge, actor) -> Challenge:
    """Send a draft (or a returned challenge) to the series' organizers.

    Writes: the organizers' notification (e-mailed after commit).
    Raises ChallengeError: forbidden / not_verified / not_editable / deadline_invalid.
    """
    if not is_company_member(actor, challenge.company_id):
        raise ChallengeError("forbidden")
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().select_related("company").get(pk=challenge.pk)
        if not challenge.company.is_verified:
            raise ChallengeError("not_verified")
        if challenge.status not in EDITABLE:
            raise ChallengeError("not_editable")
        if challenge.deadline < timezone.now() + timedelta(days=1):
            raise ChallengeError("deadline_invalid")
        challenge.status = S.SUBMITTED
        challenge.updated_at = timezone.now()
        challenge.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="challenge.submit", target=challenge)
        notify_many(
            user_ids=reviewer_ids(challenge.series_id),
            kind="challenge.submitted",
            context=context_of(challenge, url=f"/console/challenges/{challenge.pk}/"),
        )
    return challenge


def challenge_review(*, challenge: Challenge, actor, approve: bool, reason: str = "") -> Challenge:
    """An organizer of the series approves a submitted challenge or returns it with a reason.

    Audited with the reason. Writes: the company's notification.
    Raises ChallengeError: forbidden / not_submitted / reason_required.
    """
    if not can_review(actor, challenge.series_id):
        raise ChallengeError("forbidden")
    reason = (reason or "").strip()[:500]
    if not approve and not reason:
        raise ChallengeError("reason_required")
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().select_related("company").get(pk=challenge.pk)
        if challenge.status != S.SUBMITTED:
            raise ChallengeError("not_submitted")
        challenge.status = S.APPROVED if approve else S.RETURNED
        challenge.review_note = reason
        challenge.reviewed_by = actor
        challenge.reviewed_at = timezone.now()
        challenge.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        audit_log(
            actor=actor,
            action="challenge.approve" if approve else "challenge.return",
            target=challenge,
            data={"reason": reason},
        )
        notify_many(
            user_ids=company_user_ids(challenge.company_id),
            kind="challenge.approved" if approve else "challenge.returned",
            context=context_of(challenge, reason=reason, url=f"/company/challenges/{challenge.pk}/"),
        )
    return challenge


def challenge_publish(*, challenge: Challenge, actor) -> Challenge:
    """Put an approved challenge in the series' public list.

    Writes: the company's notification, and "a new challenge for you" to the candidates who follow
    a challenge of the same company or discipline (their e-mail as they chose).
    Raises ChallengeError: forbidden / not_approved / deadline_passed.
    """
    if not can_review(actor, challenge.series_id):
        raise ChallengeError("forbidden")
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().select_related("company").get(pk=challenge.pk)
        if challenge.status != S.APPROVED:
            raise ChallengeError("not_approved")
        if challenge.deadline <= timezone.now():
            raise ChallengeError("deadline_passed")
        challenge.status = S.PUBLISHED
        challenge.published_at = timezone.now()
        challenge.save(update_fields=["status", "published_at"])
        audit_log(actor=actor, action="challenge.publish", target=challenge)
        notify_many(
            user_ids=company_user_ids(challenge.company_id), kind="challenge.published", context=context_of(challenge)
        )
        followers = (
            Follow.objects.filter(
                Q(challenge__company_id=challenge.company_id) | Q(challenge__discipline=challenge.discipline)
            )
            .exclude(challenge=challenge)
            .values_list("user_id", flat=True)
            .distinct()
        )
        notify_many(user_ids=list(followers), kind="challenge.new", context=context_of(challenge))
    return challenge


def attachment_add(*, challenge: Challenge, actor, upload) -> ChallengeAttachment:
    """A PDF for the challenge's details (checked as CVs are). Only while the challenge is editable.

    Raises ChallengeError: forbidden / not_editable / bad_file / too_many_files.
    """
    if not is_company_member(actor, challenge.company_id):
        raise ChallengeError("forbidden")
    try:
        validate_cv(upload)
    except ValidationError as error:
        raise ChallengeError("bad_file", detail="; ".join(error.messages)) from error
    stored = ""
    try:
        with transaction.atomic():
            challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
            if challenge.status not in EDITABLE:
                raise ChallengeError("not_editable")
            if challenge.attachments.count() >= MAX_ATTACHMENTS:
                raise ChallengeError("too_many_files", n=MAX_ATTACHMENTS)
            name = (upload.name or "attachment.pdf").rsplit("/", 1)[-1][:120]
            attachment = ChallengeAttachment(challenge=challenge, name=name, size=upload.size)
            attachment.file.save(name, upload, save=False)
            stored = attachment.file.name
            attachment.save()
            audit_log(
                actor=actor, action="challenge.attachment_add", target=challenge, data={"attachment_id": attachment.pk}
            )
    except BaseException:
        if stored:  # the row is gone with the rollback: so is the file
            ChallengeAttachment.file.field.storage.delete(stored)
        raise
    return attachment


def attachment_remove(*, attachment: ChallengeAttachment, actor) -> None:
    challenge = attachment.challenge
    if not is_company_member(actor, challenge.company_id):
        raise ChallengeError("forbidden")
    if challenge.status not in EDITABLE:
        raise ChallengeError("not_editable")
    with transaction.atomic():
        name, storage = attachment.file.name, attachment.file.storage
        audit_log(
            actor=actor, action="challenge.attachment_remove", target=challenge, data={"attachment_id": attachment.pk}
        )
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def nda_accept(*, challenge: Challenge, user) -> ConfidentialityAcceptance:
    """Record that `user` accepted the challenge's confidentiality statement (once; audited)."""
    if not user.is_authenticated or not challenge.is_listed:
        raise ChallengeError("forbidden")
    with transaction.atomic():
        acceptance = ConfidentialityAcceptance.objects.filter(challenge=challenge, user=user).first()
        if acceptance is not None:
            return acceptance
        try:
            with transaction.atomic():
                acceptance = ConfidentialityAcceptance.objects.create(
                    challenge=challenge, user=user, statement=nda_statement()
                )
        except IntegrityError:  # a double click: the first one counts
            return ConfidentialityAcceptance.objects.get(challenge=challenge, user=user)
        audit_log(actor=user, action="challenge.nda_accept", target=challenge)
    return acceptance


def follow_toggle(*, challenge: Challenge, user) -> bool:
    """Follow or unfollow a listed challenge. Returns whether `user` now follows it."""
    if not user.is_authenticated or not challenge.is_listed:
        raise ChallengeError("forbidden")
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(challenge=challenge, user=user).delete()
        if deleted:
            return False
        Follow.objects.get_or_create(challenge=challenge, user=user)
    return True
