"""Demo challenges: about thirty from the demo companies, through the real services, so reviews,
audit entries, notifications, teams and projects are all real. Most are published with
applications; two wait for review, one was returned, one is a draft; three were selected and
became signed projects (one already accepted). Called by events' load_demo; idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import CandidateKind, CandidateProfile, Company
from projects.models import Project, TeamMember
from projects.services import project_status_set, team_create

from .demo_data import C
from .models import Application, Challenge
from .services import (
    application_create,
    application_invite_present,
    application_select,
    application_shortlist,
    challenge_create,
    challenge_publish,
    challenge_review,
    challenge_submit,
    follow_toggle,
)

PROPOSALS = [
    (
        "以{kw}为切入点，结合团队在该方向的前期成果，提出分阶段技术方案。",
        "文献与现场调研→实验室验证→中试/示范→总结验收。",
        "第 1-2 月调研与方案细化；第 3-8 月实验验证；第 9-12 月示范与验收。",
    ),
    (
        "团队已在{kw}方向发表多篇论文并有专利储备，拟采用仿真与实验结合的路线。",
        "建模仿真→样机/样品制备→测试迭代。",
        "前 3 个月完成建模，6 个月出样机，12 个月完成测试。",
    ),
]


def unload(series) -> None:
    """Before the demo series is deleted (load_demo --reset): its challenges and their projects."""
    project_ids = list(
        Application.objects.filter(challenge__series=series, project__isnull=False).values_list("project_id", flat=True)
    )
    Challenge.objects.filter(series=series).delete()
    Project.objects.filter(pk__in=project_ids).delete()


def _invite(team, lead, member):
    # As if invited and accepted: team_invite would e-mail the invitation on commit, and the demo
    # sends no mail (tests/notifications/test_demo.py).
    TeamMember.objects.create(
        team=team, user=member, email=member.email, status=TeamMember.Status.ACCEPTED, responded_at=timezone.now()
    )


def load(*, head, series) -> int:
    if Challenge.objects.filter(series=series).exists():
        return 0
    companies = {}
    for company in Company.objects.filter(status=Company.Status.VERIFIED).prefetch_related("memberships__user"):
        member = next((m.user for m in company.memberships.all()), None)
        if member is not None:
            companies.setdefault(company.industry, (company, member))
    fallback = next(iter(companies.values()))
    applicants = [
        p.user
        for p in CandidateProfile.objects.select_related("user").order_by("id")
        if p.kind in (CandidateKind.PHD, CandidateKind.POSTDOC, CandidateKind.POSTDOC_ALUMNI)
    ]
    by_discipline = {}
    for person in applicants:
        by_discipline.setdefault(person.candidate_profile.discipline[:2], []).append(person)
    now = timezone.now()
    made = []
    for index, (
        industry,
        title,
        discipline,
        district,
        keywords,
        summary,
        problem,
        outcome,
        acceptance,
        low,
        high,
        winners,
        days,
        confidential,
    ) in enumerate(C):
        company, boss = companies.get(industry, fallback)
        challenge = challenge_create(
            company=company,
            series=series,
            actor=boss,
            data={
                "title": title,
                "discipline": discipline,
                "district": district,
                "keywords": keywords,
                "summary": summary,
                "problem": problem,
                "outcome": outcome,
                "acceptance": acceptance,
                "details_confidential": confidential,
                "budget_min_wan": low,
                "budget_max_wan": high,
                "winners_max": winners,
                "deadline": now + timedelta(days=days, hours=index),
            },
        )
        made.append((challenge, boss))
        if index == len(C) - 1:
            continue  # a draft the company is still writing
        challenge_submit(challenge=challenge, actor=boss)
        if index in (len(C) - 2, len(C) - 3):
            continue  # waiting for the organizers' review
        if index == len(C) - 4:
            challenge_review(
                challenge=challenge,
                actor=head,
                approve=False,
                reason="验收标准请量化到可测试的指标，并注明第三方检测机构。",
            )
            continue
        challenge_review(challenge=challenge, actor=head, approve=True)
        challenge_publish(challenge=challenge, actor=head)

    fresh = Challenge.objects.in_bulk([c.pk for c, _ in made])
    published = [(fresh[c.pk], b) for c, b in made if fresh[c.pk].status == Challenge.Status.PUBLISHED]
    # Applications: people of a matching discipline category first, then anyone, 1–4 per challenge.
    for number, (challenge, _boss) in enumerate(published):
        pool = by_discipline.get(challenge.discipline[:2], []) + applicants
        chosen = []
        for person in pool:
            if person not in chosen:
                chosen.append(person)
            if len(chosen) >= 1 + number % 4:
                break
        for k, lead in enumerate(chosen):
            if Application.objects.filter(challenge=challenge, team__lead=lead).exists():
                continue
            proposal, approach, timeline = PROPOSALS[(number + k) % len(PROPOSALS)]
            keyword = (challenge.keywords.split(",") or [challenge.title])[0]
            team = None
            if k == 0 and number % 3 == 0:
                team = team_create(lead=lead, name=f"{lead.candidate_profile.institution}{keyword}团队")
                mate = next((p for p in applicants if p not in chosen and p != lead), None)
                if mate is not None:
                    _invite(team, lead, mate)
            try:
                application_create(
                    challenge=challenge,
                    actor=lead,
                    team=team,
                    data={
                        "proposal": proposal.format(kw=keyword),
                        "approach": approach,
                        "timeline": timeline,
                        "price_wan": str((Decimal(challenge.budget_min_wan) + Decimal(challenge.budget_max_wan)) / 2),
                        "share_cv": k % 2 == 0,
                    },
                )
            except Exception:  # a member already on another team for this challenge: skip in the demo
                continue
        follow_toggle(challenge=challenge, user=applicants[(number * 5) % len(applicants)])

    # Three selections become signed projects; one goes all the way to accepted.
    signed = 0
    for challenge, boss in published[:6]:
        first = Application.objects.filter(challenge=challenge).order_by("id").first()
        if first is None:
            continue
        application_shortlist(application=first, actor=boss)
        if signed == 3:
            application_invite_present(
                application=first,
                actor=boss,
                at=now + timedelta(days=5, hours=2),
                place="青岛国际院士港 产才对接路演厅",
                note="请准备 10 分钟路演和 5 分钟答辩。",
            )
            continue
        application_select(
            application=first,
            actor=boss,
            signed_on=timezone.localdate() - timedelta(days=signed * 20),
            amount_wan=str(challenge.budget_max_wan * Decimal("0.8")),
        )
        signed += 1
        if signed == 1:
            project = Application.objects.get(pk=first.pk).project
            for status in ("in_progress", "delivered", "accepted"):
                project_status_set(project=project, actor=boss, status=status)
    return len(made)
