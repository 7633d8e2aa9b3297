"""Every URL of competitions, opened by someone who should not: 404 (or 403 for a non-organizer
on the console, a login redirect for anonymous visitors), never data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competitions.models import Assignment, Entry
from events.models import Event
from projects.models import Mentor, ProjectMentor
from projects.services import project_create
from tests.factories import EventFactory, UserFactory, candidate, organizer, team_member

from .factories import a_competition, a_judge, a_round, an_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    competition = a_competition()
    entry = an_entry(competition)
    entry.business_plan = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 secret plan")
    entry.save()
    judge = a_judge(competition)
    round_ = a_round(competition)
    assignment = Assignment.objects.create(round=round_, judge=judge, entry=entry)
    draft = a_competition(event=EventFactory(kind=Event.Kind.COMPETITION, status=Event.Status.DRAFT))
    return {
        "competition": competition,
        "entry": entry,
        "judge": judge,
        "round": round_,
        "assignment": assignment,
        "draft": draft,
    }


def private_urls(w):
    c, e = w["competition"], w["entry"]
    return [
        reverse("competitions:entry", args=[e.pk]),
        reverse("competitions:entry_plan", args=[e.pk]),
        reverse("competitions:scorecard", args=[w["assignment"].pk]),
        reverse("competitions:judge_declaration", args=[w["judge"].pk]),
        reverse("competitions:live_judge", args=[c.pk]),
        reverse("competitions:detail", args=[w["draft"].pk]),
        reverse("competitions:enter", args=[w["draft"].pk]),
        reverse("competitions:screen", args=[w["draft"].pk]),
        reverse("competitions:screen_json", args=[w["draft"].pk]),
    ]


def console_urls(w):
    c, r = w["competition"], w["round"]
    return [
        reverse("competitions:console", args=[c.pk]),
        reverse("competitions:console_round", args=[r.pk]),
        reverse("competitions:export_entries", args=[c.pk, "entries"]),
        *[reverse("competitions:export_round", args=[r.pk, what]) for what in ("assignment", "scores", "ranking")],
    ]


def test_idor_other_candidate_and_other_judge_get_404(client, world):
    other_judge = a_judge(world["competition"], organisation="复旦大学").user
    for stranger in (candidate(), other_judge):
        client.force_login(stranger)
        for url in private_urls(world):
            if url.endswith("/live/") and stranger == other_judge:
                continue  # any accepted judge of the competition opens the live page (no scores on it)
            assert client.get(url).status_code == 404, url
            # GET-only views answer 405 to a POST before looking anything up: no data either way.
            assert client.post(url).status_code in (404, 405), url


def test_idor_live_page_needs_an_accepted_judge(client, world):
    client.force_login(candidate())
    assert client.get(reverse("competitions:live_judge", args=[world["competition"].pk])).status_code == 404


def test_idor_console_non_organizer_403_other_organizer_404(client, world):
    client.force_login(candidate())
    for url in console_urls(world):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"action": "open", "form": "judge"}).status_code == 403, url
    other = organizer()
    team_member(EventFactory(kind=Event.Kind.COMPETITION), other)  # edits another event only
    client.force_login(other)
    for url in console_urls(world):
        assert client.get(url).status_code == 404, url
        expected = (405,) if url.endswith(".xlsx") else (404,)  # exports are GET-only
        assert client.post(url, {"action": "open", "form": "judge"}).status_code in expected, url


def test_idor_anonymous_redirected_to_login(client, world):
    for url in private_urls(world)[:5] + console_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_idor_team_member_sees_entry_and_plan_but_not_scores(client, world):
    client.force_login(world["entry"].lead)
    assert client.get(reverse("competitions:entry", args=[world["entry"].pk])).status_code == 200
    response = client.get(reverse("competitions:entry_plan", args=[world["entry"].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("competitions:scorecard", args=[world["assignment"].pk])).status_code == 404


def test_idor_assigned_judge_sees_entry_plan(client, world):
    client.force_login(world["judge"].user)
    assert client.get(reverse("competitions:entry", args=[world["entry"].pk])).status_code == 200
    assert client.get(reverse("competitions:scorecard", args=[world["assignment"].pk])).status_code == 200


def test_idor_console_posts_with_foreign_ids_404(client, world):
    boss = organizer(manages_all=True)
    client.force_login(boss)
    elsewhere = a_competition()
    foreign_entry, foreign_judge = an_entry(elsewhere), a_judge(elsewhere)
    url = reverse("competitions:console_round", args=[world["round"].pk])
    assert (
        client.post(url, {"action": "pair_add", "judge": foreign_judge.pk, "entry": world["entry"].pk}).status_code
        == 404
    )
    assert (
        client.post(url, {"action": "pair_add", "judge": world["judge"].pk, "entry": foreign_entry.pk}).status_code
        == 404
    )
    foreign_round = a_round(elsewhere)
    foreign_assignment = Assignment.objects.create(round=foreign_round, judge=foreign_judge, entry=foreign_entry)
    assert client.post(url, {"action": "pair_remove", "assignment": foreign_assignment.pk}).status_code == 404
    assert client.post(url, {"action": "pair_remove", "assignment": "1 OR 1=1"}).status_code == 404
    console = reverse("competitions:console", args=[world["competition"].pk])
    assert client.post(console, {"form": "award", "entry": foreign_entry.pk, "award": "gold"}).status_code == 404
    assert Entry.objects.get(pk=foreign_entry.pk).award == ""


def test_idor_judge_invitation_token_guess_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("competitions:judge_invitation", args=["guess"])).status_code == 404


def test_idor_mentoring_post_for_foreign_project_404(client, world):
    user = UserFactory()
    mentor = Mentor.objects.create(user=user, name="王导师", organisation="青岛银行", expertise="finance")
    boss = organizer(manages_all=True)
    mine = project_create(
        series=world["competition"].series,
        title="我的项目",
        source="competition",
        signed_on=world["entry"].submitted_at.date(),
        actor=boss,
        team=world["entry"].team,
    )
    world["entry"].project = mine
    world["entry"].save()
    ProjectMentor.objects.create(project=mine, mentor=mentor)
    other = project_create(
        series=world["competition"].series,
        title="别人的项目",
        source="competition",
        signed_on=world["entry"].submitted_at.date(),
        actor=boss,
    )
    client.force_login(user)
    url = reverse("competitions:mentoring")
    response = client.post(url, {"project": other.pk, "held_on": "2025-01-02", "minutes": 60, "note": "x"})
    assert response.status_code == 404
    response = client.post(url, {"project": mine.pk, "held_on": "2025-01-02", "minutes": 60, "note": "商业模式梳理"})
    assert response.status_code == 302 and mine.mentor_sessions.count() == 1
