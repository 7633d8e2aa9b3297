"""Challenges test data: a verified company's published challenge, applicants, teams."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Company, PostdocStatus
from challenges.models import Application, Challenge
from challenges.search import search_text_build
from projects.services import team_create, team_invite, team_invite_accept

from ..factories import CompanyFactory, SeriesFactory, candidate, company_member, organizer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="方案.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def link(token: str) -> str:
    return f"http://testserver/teams/invitation/{token}/"


def company_with_member(*, verified: bool = True, **fields):
    company = CompanyFactory(status=Company.Status.VERIFIED if verified else Company.Status.PENDING, **fields)
    return company, company_member(company)


def postdoc(**fields):
    return candidate(postdoc_status=PostdocStatus.IN_STATION, **fields)


def head_office():
    return organizer(manages_all=True)


def challenge_data(**overrides) -> dict:
    data = {
        "title": "深远海养殖网箱防腐涂层寿命提升",
        "discipline": "0805",
        "district": "xihaian",
        "keywords": "海洋,防腐,涂层",
        "summary": "海洋牧场网箱在高盐高湿环境下腐蚀严重，需要长寿命防腐涂层。",
        "problem": "现有涂层 18 个月即失效（保密数据）。",
        "outcome": "寿命 5 年以上的涂层配方与工艺。",
        "acceptance": "第三方盐雾试验 3000 小时无起泡。",
        "details_confidential": False,
        "budget_min_wan": "50",
        "budget_max_wan": "120",
        "winners_max": 1,
        "deadline": timezone.now() + timedelta(days=30),
    }
    data.update(overrides)
    return data


def published_challenge(company=None, *, series=None, **fields) -> Challenge:
    """A published challenge written straight to the database (the services are tested elsewhere)."""
    company = company or CompanyFactory()
    data = challenge_data(**fields)
    data["budget_min_wan"] = Decimal(str(data["budget_min_wan"]))
    data["budget_max_wan"] = Decimal(str(data["budget_max_wan"]))
    challenge = Challenge(
        series=series or SeriesFactory(),
        company=company,
        status=Challenge.Status.PUBLISHED,
        published_at=timezone.now(),
        **data,
    )
    challenge.search_text = search_text_build(challenge.title, challenge.summary, challenge.keywords, company.name)
    challenge.save()
    return challenge


def team_of(lead, *members, name="海洋材料团队"):
    team = team_create(lead=lead, name=name)
    for member in members:
        invitation = team_invite(team=team, actor=lead, email=member.email, accept_url=link)
        team_invite_accept(token=invitation.token, user=member)
    return team


def application_data(**overrides) -> dict:
    data = {
        "proposal": "采用石墨烯改性环氧涂层。",
        "approach": "实验室筛选→海上挂片→中试。",
        "timeline": "第 1-3 月配方，第 4-9 月挂片，第 10-12 月中试。",
        "price_wan": "98.5",
        "share_cv": True,
    }
    data.update(overrides)
    return data


def application(challenge, *, lead=None, status=Application.Status.SUBMITTED, team=None) -> Application:
    """An application straight in the database."""
    lead = lead or postdoc()
    team = team or team_create(lead=lead, name=f"{lead.display_name}团队")
    return Application.objects.create(
        challenge=challenge,
        team=team,
        status=status,
        proposal="方案",
        approach="路线",
        timeline="一年",
        price_wan=Decimal("80"),
    )
