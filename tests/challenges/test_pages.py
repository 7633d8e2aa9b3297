"""The pages wired to the services: the list and its filters (with pinned query counts), the
challenge page, applying through the form, the company's and the console's pages, the exports,
and a person's data."""

import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.services import account_delete, personal_data_export
from challenges.models import Application, Challenge, Follow
from challenges.services import follow_toggle

from ..factories import SeriesFactory, candidate
from .factories import (
    application,
    company_with_member,
    head_office,
    postdoc,
    published_challenge,
    team_of,
)

pytestmark = pytest.mark.django_db


def many(n, **fields):
    company, _ = company_with_member()
    return [published_challenge(company, title=f"海洋难题{i}", **fields) for i in range(n)]


def test_list_shows_open_published_challenges_only(client):
    shown = published_challenge(title="海洋牧场监测")
    past = published_challenge(title="往期难题")
    Challenge.objects.filter(pk=past.pk).update(deadline=timezone.now() - timedelta(days=1))
    draft = published_challenge(title="草稿难题")
    Challenge.objects.filter(pk=draft.pk).update(status="draft")
    page = client.get("/challenges/").content.decode()
    assert shown.title in page and past.title not in page and draft.title not in page
    page = client.get("/challenges/?deadline=all").content.decode()
    assert past.title in page and draft.title not in page


@pytest.mark.parametrize(
    "query,title",
    [
        ("discipline=0707", "海洋学科"),
        ("district=laoshan", "崂山难题"),
        ("budget=gt500", "大预算"),
        ("deadline=7", "本周截止"),
        ("q=氢能", "氢能重卡"),
    ],
)
def test_list_filters(client, query, title):
    published_challenge(title="海洋学科", discipline="0707", district="shinan", budget_max_wan="100")
    published_challenge(title="崂山难题", discipline="0805", district="laoshan", budget_max_wan="100")
    published_challenge(
        title="大预算", discipline="0805", district="shinan", budget_min_wan="600", budget_max_wan="900"
    )
    published_challenge(
        title="本周截止",
        discipline="0805",
        district="shinan",
        budget_max_wan="100",
        deadline=timezone.now() + timedelta(days=3),
    )
    published_challenge(title="氢能重卡", discipline="0805", district="shinan", budget_max_wan="100")
    response = client.get(f"/challenges/?{query}")
    cards = response.context["page"].object_list
    assert [c.title for c in cards] == [title]


def test_list_filter_by_company(client):
    a, b = many(1)[0], published_challenge(title="他单位难题")
    response = client.get(f"/challenges/?company={a.company_id}")
    assert [c.pk for c in response.context["page"].object_list] == [a.pk]
    assert b.title not in response.content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_list_query_count_independent_of_size(client, django_assert_num_queries, n):
    many(n)
    # count + page (companies joined); nothing per card
    with django_assert_num_queries(2):
        response = client.get("/challenges/?per=50&q=海洋&discipline=0805")
    assert len(response.context["page"].object_list) == n


@pytest.mark.parametrize("n", [1, 25])
def test_recommended_query_count_independent_of_size(client, django_assert_num_queries, n):
    many(n)
    user = postdoc(discipline="0805", research_field="海洋防腐涂层")
    client.force_login(user)
    with django_assert_num_queries(4):  # session, user, profile, pool
        response = client.get("/challenges/recommended/")
    assert len(response.context["challenges"]) == min(n, 20)


def test_recommended_ranks_by_discipline_and_field(client):
    company, _ = company_with_member()
    far = published_challenge(company, title="海藻多糖制剂", discipline="1007", summary="中试放大", keywords="")
    near = published_challenge(company, title="船舶涂装", discipline="0805", summary="船舶涂装工艺", keywords="")
    best = published_challenge(company, title="海洋防腐涂层", discipline="0805", summary="海洋防腐涂层", keywords="")
    user = postdoc(discipline="0805", research_field="海洋防腐涂层")
    client.force_login(user)
    ranked = [c.pk for c in client.get("/challenges/recommended/").context["challenges"]]
    assert ranked[0] == best.pk and near.pk in ranked and far.pk not in ranked


def test_detail_query_count_fixed(client, django_assert_num_queries):
    challenge = published_challenge()
    user = postdoc()
    client.force_login(user)
    # challenge+company+series, session, user, follow, application, attachments, profile, membership
    with django_assert_num_queries(8):
        response = client.get(f"/challenges/{challenge.pk}/")
    assert response.status_code == 200 and "data-apply" in response.content.decode()


def test_apply_through_the_form_and_invite(client, mailoutbox, django_capture_on_commit_callbacks):
    challenge = published_challenge()
    lead, friend = postdoc(), postdoc()
    client.force_login(lead)
    response = client.post(
        f"/challenges/{challenge.pk}/apply/",
        {
            "proposal": "方案",
            "approach": "路线",
            "timeline": "一年",
            "price_wan": "88",
            "team_name": "海洋团队",
            "share_cv": "on",
        },
    )
    application = Application.objects.get(challenge=challenge)
    assert response.status_code == 302 and response["Location"] == f"/challenges/applications/{application.pk}/"
    assert (application.team.name, application.price_wan, application.share_cv, application.solo) == (
        "海洋团队",
        Decimal("88.00"),
        True,
        False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/challenges/applications/{application.pk}/", {"action": "invite", "email": friend.email})
    assert any(friend.email in m.to for m in mailoutbox)
    # applying twice leads back to the application
    assert client.get(f"/challenges/{challenge.pk}/apply/")["Location"] == f"/challenges/applications/{application.pk}/"


def test_apply_bad_price_is_400_not_500(client):
    challenge = published_challenge()
    client.force_login(postdoc())
    response = client.post(
        f"/challenges/{challenge.pk}/apply/",
        {"proposal": "方案", "approach": "路线", "timeline": "一年", "price_wan": "-5"},
    )
    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_apply_with_someone_elses_team_is_404(client):
    challenge = published_challenge()
    other_team = team_of(postdoc(), name="别人的团队")
    client.force_login(postdoc())
    response = client.post(
        f"/challenges/{challenge.pk}/apply/",
        {"proposal": "方案", "approach": "路线", "timeline": "一年", "price_wan": "5", "team": other_team.pk},
    )
    assert response.status_code == 404


def test_company_posts_and_console_reviews_through_pages(client):
    series = SeriesFactory()
    company, boss = company_with_member()
    client.force_login(boss)
    deadline = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/company/challenges/new/",
        {
            "title": "氢能储运阀门密封",
            "discipline": "0805",
            "district": "jimo",
            "keywords": "氢能,密封",
            "summary": "高压氢阀门密封件寿命不足",
            "problem": "细节",
            "outcome": "成果",
            "acceptance": "验收",
            "budget_min_wan": "30",
            "budget_max_wan": "80",
            "winners_max": "2",
            "deadline": deadline,
        },
    )
    challenge = Challenge.objects.get(title="氢能储运阀门密封")
    assert response.status_code == 302 and challenge.series == series
    client.post(f"/company/challenges/{challenge.pk}/", {"action": "submit"})
    head = head_office()
    client.force_login(head)
    assert challenge.title in client.get("/console/challenges/?status=submitted").content.decode()
    response = client.post(f"/console/challenges/{challenge.pk}/", {"action": "return", "reason": ""})
    assert response.status_code == 400
    client.post(f"/console/challenges/{challenge.pk}/", {"action": "approve"})
    client.post(f"/console/challenges/{challenge.pk}/", {"action": "publish"})
    challenge.refresh_from_db()
    assert challenge.status == "published"
    assert challenge.title in client.get("/challenges/?q=氢能").content.decode()


def test_company_bad_budget_is_400(client):
    SeriesFactory()
    company, boss = company_with_member()
    client.force_login(boss)
    deadline = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/company/challenges/new/",
        {
            "title": "x",
            "discipline": "0805",
            "district": "jimo",
            "summary": "s",
            "problem": "p",
            "outcome": "o",
            "acceptance": "a",
            "budget_min_wan": "90",
            "budget_max_wan": "80",
            "winners_max": "1",
            "deadline": deadline,
        },
    )
    assert response.status_code == 400
    assert Challenge.objects.count() == 0


def test_company_selects_through_pages_and_exports(client):
    company, boss = company_with_member()
    challenge = published_challenge(company, winners_max=1)
    ours = application(challenge)
    client.force_login(boss)
    client.post(f"/company/challenges/applications/{ours.pk}/", {"action": "shortlist"})
    client.post(
        f"/company/challenges/applications/{ours.pk}/",
        {"action": "select", "signed_on": timezone.localdate().isoformat(), "amount_wan": "75.5"},
    )
    ours.refresh_from_db()
    assert ours.status == "selected" and ours.project.amount_wan == Decimal("75.50")
    sheet = load_workbook(
        io.BytesIO(client.get(f"/company/challenges/{challenge.pk}/applications.xlsx").content)
    ).active
    assert sheet.cell(row=2, column=1).value == ours.team.name
    assert sheet.cell(row=2, column=7).value == "揭榜成功"
    client.force_login(head_office())
    page = client.get("/console/challenges/projects/").content.decode()
    assert challenge.title in page and "75.5" in page
    sheet = load_workbook(io.BytesIO(client.get("/console/challenges/projects.xlsx").content)).active
    assert sheet.cell(row=2, column=5).value == 75.5
    assert sheet.cell(row=3, column=1).value == "合计"


def test_export_formula_text_is_kept_as_text(client):
    company, boss = company_with_member()
    challenge = published_challenge(company)
    app = application(challenge)
    Application.objects.filter(pk=app.pk).update(proposal='=HYPERLINK("http://x")')
    client.force_login(boss)
    sheet = load_workbook(
        io.BytesIO(client.get(f"/company/challenges/{challenge.pk}/applications.xlsx").content)
    ).active
    assert sheet.cell(row=2, column=9).data_type == "s"


def test_followers_shown_by_name_only_when_shared(client):
    company, boss = company_with_member()
    challenge = published_challenge(company)
    sharing = postdoc(consent_share=True, full_name="愿意展示")
    private = postdoc(consent_share=False, full_name="不愿展示")
    follow_toggle(challenge=challenge, user=sharing)
    follow_toggle(challenge=challenge, user=private)
    client.force_login(boss)
    page = client.get(f"/company/challenges/{challenge.pk}/").content.decode()
    assert "愿意展示" in page and "不愿展示" not in page


def test_personal_data_export_and_erase(django_capture_on_commit_callbacks):
    challenge = published_challenge(details_confidential=True)
    lead = postdoc()
    from challenges.services import application_create, nda_accept

    from .factories import application_data, pdf

    app = application_create(
        challenge=challenge, actor=lead, data=application_data(proposal="我的方案原文"), upload=pdf()
    )
    follow_toggle(challenge=challenge, user=lead)
    nda_accept(challenge=challenge, user=lead)
    data = personal_data_export(user=lead)
    assert data["challenge_applications"][0]["proposal"] == "我的方案原文"
    assert data["challenge_follows"][0]["challenge"] == challenge.title
    assert "保密" in data["challenge_confidentiality"][0]["statement"]
    path = app.proposal_pdf.path
    assert os.path.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=lead)
    assert not Application.objects.filter(pk=app.pk).exists()
    assert not Follow.objects.filter(challenge=challenge).exists()
    assert not os.path.exists(path)


def test_non_phd_sees_no_apply_button(client):
    challenge = published_challenge()
    client.force_login(candidate(degree="master"))
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "data-apply" not in page
    assert client.get(f"/challenges/{challenge.pk}/apply/").status_code == 302
