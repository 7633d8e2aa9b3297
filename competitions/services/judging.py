"""Judges and who judges what: invitations by e-mail, declared conflicts, the assignment by
the flow solver (competitions/assignment.py), and the organizer's adjustments."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from accounts.services import audit_log
from notifications.services import notify_many
from projects.models import TeamMember

from ..assignment import Infeasible, solve_assignment
from ..errors import CompetitionError
from ..models import Assignment, Competition, Conflict, Entry, Judge, Result, Round
from ..permissions import competition_can_manage


def _norm(text: str) -> str:
    return "".join((text or "").split()).casefold()


def round_entries(round_: Round):
    """Who is in the round: every entry in the first round, then those the previous round advanced
    (once its advancement is published)."""
    entries = Entry.objects.filter(competition_id=round_.competition_id)
    previous = (
        Round.objects.filter(competition_id=round_.competition_id, number__lt=round_.number).order_by("-number").first()
    )
    if previous is None:
        return entries
    if previous.status != Round.Status.PUBLISHED:
        return entries.none()
    return entries.filter(pk__in=Result.objects.filter(round=previous, advances=True).values("entry_id"))


def conflict_pairs(competition: Competition, entries=None, judges=None) -> set[tuple[int, int]]:
    """(judge id, entry id) pairs that must never meet: same organisation (the judge's, or one the
    judge declared, against the entry's organisation or company), a declared entry, a declared
    co-author on the team, or the judge being on the team."""
    entries = list(entries if entries is not None else Entry.objects.filter(competition=competition))
    judges = list(judges if judges is not None else Judge.objects.filter(competition=competition))
    entry_ids = [e.pk for e in entries]
    names: dict[int, set[str]] = {e.pk: set() for e in entries}
    members: dict[int, set[int]] = {e.pk: set() for e in entries}
    rows = TeamMember.objects.filter(
        team__competition_entries__in=entry_ids, status=TeamMember.Status.ACCEPTED
    ).values_list("team__competition_entries", "user_id", "user__name", "user__candidate_profile__full_name")
    for entry_id, user_id, name, full_name in rows:
        if entry_id not in members:  # the same team's entry in another competition
            continue
        members[entry_id].add(user_id)
        names[entry_id].update(_norm(n) for n in (name, full_name) if n)
    orgs = {e.pk: {_norm(o) for o in (e.organisation, e.company_name) if o} for e in entries}
    declared: dict[int, list[Conflict]] = {}
    for conflict in Conflict.objects.filter(judge__in=[j.pk for j in judges]):
        declared.setdefault(conflict.judge_id, []).append(conflict)
    pairs = set()
    for judge in judges:
        own_orgs = {_norm(judge.organisation)} - {""}
        coauthors = set()
        for conflict in declared.get(judge.pk, []):
            if conflict.kind == Conflict.Kind.ENTRY and conflict.entry_id:
                pairs.add((judge.pk, conflict.entry_id))
            elif conflict.kind == Conflict.Kind.ORGANISATION and conflict.value:
                own_orgs.add(_norm(conflict.value))
            elif conflict.kind == Conflict.Kind.COAUTHOR and conflict.value:
                coauthors.add(_norm(conflict.value))
        for entry in entries:
            if (
                (own_orgs & orgs[entry.pk])
                or (coauthors & names[entry.pk])
                or (judge.user_id and judge.user_id in members[entry.pk])
            ):
                pairs.add((judge.pk, entry.pk))
    return pairs


def judge_invite(
    *,
    competition: Competition,
    actor,
    email: str,
    name: str,
    organisation: str = "",
    expertise: str = "",
    accept_url: Callable[[str], str],
) -> Judge:
    """Invite an expert by e-mail. Side effect: the invitation e-mail on commit.
    Raises CompetitionError: forbidden / invalid / already_judge."""
    if not competition_can_manage(actor, competition):
        raise CompetitionError("forbidden")
    email, name = (email or "").strip().lower(), (name or "").strip()
    if "@" not in email or not name:
        raise CompetitionError("invalid", detail=_lazy("姓名、邮箱"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                judge = Judge.objects.create(
                    competition=competition,
                    email=email,
                    name=name[:80],
                    organisation=(organisation or "").strip()[:120],
                    expertise=(expertise or "").strip()[:60],
                    token=secrets.token_urlsafe(32),
                )
        except IntegrityError:
            raise CompetitionError("already_judge") from None
        audit_log(actor=actor, action="competition.judge_invite", target=judge, data={"competition_id": competition.pk})
        subject = gettext("【博聚】邀请您担任“%(c)s”评委") % {"c": competition.event.title}
        body = gettext(
            "%(name)s 您好：\n诚邀您担任“%(c)s”评委。请打开下面的链接，用本邮箱登录或注册后接受邀请，"
            "并申报您的工作单位和利益冲突（所在单位、合作者、相关项目）：\n%(link)s\n"
        ) % {"name": judge.name, "c": competition.event.title, "link": accept_url(judge.token)}
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return judge


def judge_accept(
    *, judge: Judge, user, organisation: str, entry_ids=(), organisations=(), coauthors=(), expertise: str | None = None
) -> Judge:
    """The invited expert accepts (or later updates) their declaration. Their e-mail must be the invited one.
    Raises CompetitionError: wrong_user / invalid."""
    if judge.user_id is None and user.email.lower() != judge.email.lower():
        raise CompetitionError("wrong_user", email=judge.email)
    if judge.user_id is not None and judge.user_id != user.pk:
        raise CompetitionError("forbidden")
    organisation = (organisation or "").strip()
    if not organisation:
        raise CompetitionError("invalid", detail=_lazy("工作单位"))
    valid_entries = set(
        Entry.objects.filter(competition_id=judge.competition_id, pk__in=list(entry_ids)).values_list("pk", flat=True)
    )
    with transaction.atomic():
        judge = Judge.objects.select_for_update().get(pk=judge.pk)
        judge.user, judge.status, judge.token = user, Judge.Status.ACCEPTED, None
        judge.organisation = organisation[:120]
        if expertise is not None:
            judge.expertise = expertise.strip()[:60]
        judge.save()
        judge.conflicts.all().delete()
        Conflict.objects.bulk_create(
            [Conflict(judge=judge, kind=Conflict.Kind.ENTRY, entry_id=pk) for pk in sorted(valid_entries)]
            + [
                Conflict(judge=judge, kind=Conflict.Kind.ORGANISATION, value=v.strip()[:120])
                for v in organisations
                if v.strip()
            ]
            + [
                Conflict(judge=judge, kind=Conflict.Kind.COAUTHOR, value=v.strip()[:120])
                for v in coauthors
                if v.strip()
            ]
        )
        audit_log(
            actor=user,
            action="competition.judge_declare",
            target=judge,
            data={"entries": sorted(valid_entries), "organisations": len(organisations), "coauthors": len(coauthors)},
        )
    return judge


def _editable_round(round_: Round, actor) -> Round:
    if not competition_can_manage(actor, round_.competition):
        raise CompetitionError("forbidden")
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status not in (Round.Status.SETUP, Round.Status.JUDGING):
        raise CompetitionError("status")
    return round_


def round_assign(*, round_: Round, actor) -> dict:
    """Give every entry of the round K judges (accepted judges only) by the solver, keeping the
    pairs fixed by hand and those already scored. Returns figures for the organizer.

    On commit: each judge with new entries hears of them (judging assigned).
    Raises CompetitionError: forbidden / status / no_entries / infeasible.
    """
    with transaction.atomic():
        round_ = _editable_round(round_, actor)
        entries = list(round_entries(round_))
        if not entries:
            raise CompetitionError("no_entries")
        judges = list(Judge.objects.filter(competition_id=round_.competition_id, status=Judge.Status.ACCEPTED))
        keep = Assignment.objects.filter(round=round_).filter(manual=True) | Assignment.objects.filter(
            round=round_, scorecard__isnull=False
        )
        fixed = set(keep.values_list("judge_id", "entry_id"))
        before = set(Assignment.objects.filter(round=round_).values_list("judge_id", "entry_id"))
        Assignment.objects.filter(round=round_).exclude(pk__in=keep.values("pk")).delete()
        conflicts = conflict_pairs(round_.competition, entries, judges)
        affinity = {(j.pk, e.pk) for j in judges for e in entries if j.expertise and j.expertise == e.track}
        try:
            plan = solve_assignment(
                [e.pk for e in entries],
                [j.pk for j in judges],
                round_.judges_per_entry,
                conflicts,
                fixed=fixed,
                affinity=affinity,
            )
        except Infeasible as error:
            raise CompetitionError("infeasible", k=round_.judges_per_entry, detail=error.detail) from None
        Assignment.objects.bulk_create(
            [Assignment(round=round_, judge_id=j, entry_id=e) for j, e in plan.pairs if (j, e) not in fixed],
            batch_size=1000,
        )
        report = {
            "entries": len(entries),
            "judges": len(judges),
            "pairs": len(plan.pairs),
            "spread": plan.spread,
            "balanced": plan.balanced,
            "seconds": round(plan.seconds, 3),
            "fixed": len(fixed),
        }
        audit_log(actor=actor, action="competition.round_assign", target=round_, data=report)
        if round_.status == Round.Status.JUDGING:
            _tell_judges(round_, {j for j, e in plan.pairs if (j, e) not in before})
    return report


def _tell_judges(round_: Round, judge_ids) -> None:
    users = list(Judge.objects.filter(pk__in=list(judge_ids), user__isnull=False).values_list("user_id", flat=True))
    if users:
        notify_many(
            user_ids=users,
            kind="competition.judging_assigned",
            context={
                "round": round_.name,
                "competition": round_.competition.event.title,
                "event_id": round_.competition_id,
                "url": "/competitions/judging/",
            },
        )


def assignment_add(*, round_: Round, actor, judge: Judge, entry: Entry) -> Assignment:
    """The organizer adds a pair by hand (kept by later solver runs). Raises forbidden / status / conflict."""
    with transaction.atomic():
        round_ = _editable_round(round_, actor)
        if judge.competition_id != round_.competition_id or entry.competition_id != round_.competition_id:
            raise CompetitionError("forbidden")
        if (judge.pk, entry.pk) in conflict_pairs(round_.competition, [entry], [judge]):
            raise CompetitionError("conflict")
        assignment, _created = Assignment.objects.get_or_create(
            round=round_, judge=judge, entry=entry, defaults={"manual": True}
        )
        audit_log(
            actor=actor,
            action="competition.assignment_add",
            target=round_,
            data={"judge_id": judge.pk, "entry_id": entry.pk},
        )
        if round_.status == Round.Status.JUDGING:
            _tell_judges(round_, [judge.pk])
    return assignment


def assignment_remove(*, assignment: Assignment, actor) -> None:
    """The organizer removes a pair that has no scores yet. Raises forbidden / status / has_scores."""
    with transaction.atomic():
        _editable_round(assignment.round, actor)
        if hasattr(assignment, "scorecard"):
            raise CompetitionError("has_scores")
        audit_log(
            actor=actor,
            action="competition.assignment_remove",
            target=assignment.round,
            data={"judge_id": assignment.judge_id, "entry_id": assignment.entry_id},
        )
        assignment.delete()
