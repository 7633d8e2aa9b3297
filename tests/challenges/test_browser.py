"""Real Chromium against a real ASGI server: a team applies (揭榜) from a phone, the company
shortlists and selects it, the team sees its project. Phone screenshots of each page."""

import pytest

from challenges.models import Application
from projects.services import team_invite_accept

from ..browser_support import ARTIFACTS
from .factories import company_with_member, postdoc, published_challenge

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"challenges-{name}.png"), full_page=True)
    # The phone layout never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name


def test_team_applies_and_company_selects_it(open_page):
    company, boss = company_with_member(name="青岛蓝湾新材料科技有限公司")
    challenge = published_challenge(company, title="深远海养殖网箱防腐涂层寿命提升", winners_max=1)
    published_challenge(
        company,
        title="氢能重卡燃料电池低温启动",
        discipline="0807",
        district="jimo",
        summary="零下 30 度冷启动",
        keywords="氢能",
    )
    lead, friend = postdoc(full_name="王海洋"), postdoc(full_name="李材料")

    page = open_page(lead, "/challenges/?q=海洋")
    assert page.locator("[data-challenge]").count() == 1
    shot(page, "list-phone")
    page.click(f"[data-challenge='{challenge.pk}']")
    shot(page, "detail-phone")
    page.click("[data-apply]")
    page.fill("textarea[name=proposal]", "石墨烯改性环氧涂层配合阴极保护。")
    page.fill("textarea[name=approach]", "实验室筛选、海上挂片、中试放大。")
    page.fill("textarea[name=timeline]", "12 个月")
    page.fill("input[name=price_wan]", "96")
    page.fill("input[name=team_name]", "海大防腐团队")
    page.check("input[name=share_cv]")
    shot(page, "apply-phone")
    with page.expect_navigation():
        page.click("[data-apply-form] button[type=submit]")
    assert "揭榜申请已提交" in page.text_content(".messages")
    application = Application.objects.get(challenge=challenge)
    page.fill("#invite-email", friend.email)
    with page.expect_navigation():
        page.click("[data-invite] button")
    assert page.text_content(".messages").strip() == "邀请邮件已发送。"
    invitation = application.team.members.get(email=friend.email)
    team_invite_accept(token=invitation.token, user=friend)

    company_page = open_page(boss, f"/company/challenges/{challenge.pk}/")
    assert "海大防腐团队" in company_page.text_content(f"[data-application='{application.pk}']")
    with company_page.expect_navigation():
        company_page.click("[data-shortlist]")
    assert "已列入入围名单" in company_page.text_content(".messages")
    company_page.fill(f"[data-application='{application.pk}'] input[name=amount_wan]", "90")
    shot(company_page, "company-phone")
    with company_page.expect_navigation():
        company_page.click("[data-select]")
    assert company_page.text_content(".messages").strip() == "已选定揭榜团队，项目已签约。"
    assert (
        company_page.get_attribute(f"[data-application='{application.pk}'] [data-status]", "data-status") == "selected"
    )

    member_page = open_page(friend, f"/challenges/applications/{application.pk}/")
    assert member_page.text_content("[data-status]").strip() == "揭榜成功"
    shot(member_page, "application-phone")
    application.refresh_from_db()
    assert application.project.team == application.team
