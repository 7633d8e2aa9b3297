"""Outcomes: a company reports an offer or a hire, the candidate confirms it; a candidate
reports their own station entry, job or project; an organizer confirms or rejects each one.

Only a confirmed outcome counts; it is added to the counters in the same transaction as the
confirmation (tallies_add is an adding upsert), so the figures can never disagree with the rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import partial

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, CompanyMembership, User
from accounts.services import audit_log
from events.models import Series
from fairs.models import BoothVisit
from notifications.services import notify

from ..counting.catch_up import outcome_keys
from ..counting.tallies import tallies_add
from ..errors import ProgrammeError
from ..models import COMPANY_KINDS, Cursor, Outcome, OutcomeKind


def _member(user: User, company: Company) -> bool:
    return bool(user.is_authenticated and CompanyMembership.objects.filter(company=company, user=user).exists())


def head_office(user: User) -> bool:
    """Organizers who manage the whole programme (not a partner with a few events): they review
    outcomes and see the people behind the figures."""
    return bool(user.is_authenticated and user.is_organizer and user.has_perm("events.manage_all_events"))


def outcome_visitors(company: Company):
    """Whom a company may report an offer for: people who visited its booth and agreed to show
    it their profile (the company knows them already; nobody else is exposed)."""
    return User.objects.filter(booth_visits__company=company, booth_visits__shared=True).distinct().order_by("name")


def outcome_can_view(user: User, outcome: Outcome) -> bool:
    if not user.is_authenticated:
        return False
    if head_office(user) or outcome.candidate_id == user.pk:
        return True
    return outcome.company_id is not None and outcome.kind in COMPANY_KINDS and _member(user, outcome.company)


def outcome_report(
    *,
    actor: User,
    series: Series,
    kind: str,
    happened_on: date,
    candidate: User | None = None,
    company: Company | None = None,
    event=None,
    note: str = "",
) -> Outcome:
    """A company's report (offer/hire, for `candidate`, by a member of `company`) or a
    candidate's own (station entry/job/project; `candidate` is the actor).

    On commit: the candidate is asked to confirm a company's report.
    Raises ProgrammeError: kind_invalid / not_member / not_verified / not_visitor / date_invalid /
    not_candidate / duplicate.
    """
    if kind not in OutcomeKind.values:
        raise ProgrammeError("kind_invalid", _("成果类型无效。"))
    if happened_on > timezone.localdate():
        raise ProgrammeError("date_invalid", _("发生日期不能晚于今天。"))
    if kind in COMPANY_KINDS:
        if company is None or not _member(actor, company):
            raise ProgrammeError("not_member", _("只有本单位的成员可以报告录用。"))
        if not company.is_verified:
            raise ProgrammeError("not_verified", _("单位通过认证后才能报告录用。"))
        if candidate is None or not BoothVisit.objects.filter(company=company, visitor=candidate, shared=True).exists():
            raise ProgrammeError("not_visitor", _("只能为到访过本单位展位并同意展示资料的候选人报告录用。"))
        status = Outcome.Status.AWAITING_CANDIDATE
    else:
        if not actor.is_candidate:
            raise ProgrammeError("not_candidate", _("只有候选人本人可以报告此类成果。"))
        candidate = actor
        status = Outcome.Status.AWAITING_REVIEW
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                series=series,
                kind=kind,
                candidate=candidate,
                company=company,
                event=event,
                happened_on=happened_on,
                note=(note or "")[:300],
                status=status,
                reported_by=actor,
            )
            audit_log(
                actor=actor,
                action="outcome.report",
                target=outcome,
                data={"kind": kind, "company": company.pk if company else None},
            )
            if status == Outcome.Status.AWAITING_CANDIDATE:
                notify(
                    user=candidate,
                    kind="outcome.confirm",
                    context={
                        "kind": str(outcome.get_kind_display()),
                        "company": company.name,
                        "url": reverse("programme:my_outcomes"),
                    },
                )
    except IntegrityError:
        raise ProgrammeError("duplicate", _("这项成果已经报告过了。")) from None
    return outcome


def outcome_respond(*, outcome: Outcome, actor: User, accept: bool) -> Outcome:
    """The candidate confirms (it goes to the organizers) or denies a company's report.
    Raises ProgrammeError: not_yours (never tells whether the outcome exists) / not_waiting."""
    with transaction.atomic():
        outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
        if outcome.candidate_id != actor.pk:
            raise ProgrammeError("not_yours", _("找不到这项成果。"))
        if outcome.status != Outcome.Status.AWAITING_CANDIDATE:
            raise ProgrammeError("not_waiting", _("这项成果已经处理过了。"))
        outcome.status = Outcome.Status.AWAITING_REVIEW if accept else Outcome.Status.DECLINED
        outcome.save(update_fields=["status"])
        audit_log(actor=actor, action="outcome.accept" if accept else "outcome.decline", target=outcome)
    return outcome


def outcome_review(*, outcome: Outcome, actor: User, approve: bool, note: str = "") -> Outcome:
    """An organizer confirms (counted from now on) or rejects a report awaiting review.

    On commit: the candidate (and the reporting company's reporter) hear the result; the
    public figures are pushed. Raises ProgrammeError: forbidden / not_waiting.
    """
    if not head_office(actor):
        raise ProgrammeError("forbidden", _("只有主办方可以审核成果。"))
    with transaction.atomic():
        Cursor.objects.get_or_create(name="outcome")
        # The rebuild holds this row while it recounts outcomes; reviews wait for it.
        Cursor.objects.select_for_update().get(name="outcome")
        outcome = Outcome.objects.select_for_update(of=("self",)).select_related("company").get(pk=outcome.pk)
        if outcome.status != Outcome.Status.AWAITING_REVIEW:
            raise ProgrammeError("not_waiting", _("这项成果已经处理过了。"))
        outcome.status = Outcome.Status.CONFIRMED if approve else Outcome.Status.REJECTED
        outcome.reviewed_by, outcome.reviewed_at = actor, timezone.now()
        outcome.review_note = (note or "")[:300]
        outcome.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        if approve:
            deltas: Counter = Counter()
            for metric, key in outcome_keys(outcome, outcome.company.credit_code if outcome.company else None):
                deltas[(outcome.series_id, metric, key)] += 1
            tallies_add(deltas)
        audit_log(
            actor=actor,
            action="outcome.confirm" if approve else "outcome.reject",
            target=outcome,
            data={"note": outcome.review_note},
        )
        notify(
            user=outcome.candidate,
            kind="outcome.reviewed",
            context={
                "kind": str(outcome.get_kind_display()),
                "confirmed": approve,
                "note": outcome.review_note,
                "url": reverse("programme:my_outcomes"),
            },
        )
        if approve:
            from ..live import figures_push

            transaction.on_commit(partial(figures_push, outcome.series_id))
    return outcome


def person_uncount(user: User) -> None:
    """Erasure: take the person out of the counters before their rows go (personal data
    eraser, run inside account_delete's transaction)."""
    from ..models import Attendance, Reach

    deltas: Counter = Counter()
    with transaction.atomic():
        for name in ("checkin", "outcome"):
            Cursor.objects.get_or_create(name=name)
            Cursor.objects.select_for_update().get(name=name)
        for reach in Reach.objects.filter(user=user):
            for metric, key in (
                ("people", ""),
                ("people.month", reach.month),
                ("people.province", reach.province),
                ("people.unitype", reach.university_type),
                ("people.event", str(reach.first_event_id)),
            ):
                deltas[(reach.series_id, metric, key)] -= 1
        for series_id, event_id in Attendance.objects.filter(user=user).values_list("series_id", "event_id"):
            deltas[(series_id, "attend.event", str(event_id))] -= 1
        for outcome in Outcome.objects.filter(candidate=user, status=Outcome.Status.CONFIRMED).select_related(
            "company"
        ):
            for metric, key in outcome_keys(outcome, outcome.company.credit_code if outcome.company else None):
                deltas[(outcome.series_id, metric, key)] -= 1
        tallies_add(deltas)
        Reach.objects.filter(user=user).delete()
        Attendance.objects.filter(user=user).delete()
        Outcome.objects.filter(candidate=user).delete()
        from ..selectors.cached import figures_changed

        for series_id in {series for (series, _m, _k) in deltas}:
            transaction.on_commit(lambda s=series_id: figures_changed(s))
