"""Scores stay hidden: another judge, the team and anonymous visitors never see a score before
release, over HTTP (pages, snapshots) or the WebSocket (pushes of the live final)."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import AuditEntry
from competitions.models import Assignment, Round
from competitions.services import (
    live_advance,
    live_order_set,
    live_reveal,
    results_compute,
    results_publish,
    results_review,
    round_close,
    round_open,
    scorecard_submit,
)
from notifications.routing import websocket_urlpatterns

from .factories import a_competition, a_judge, a_round, an_entry, boss

SECRET = "67.5"  # 7.5 × 40% + 3.5 × 30% + 9 × 30% on a 10-point scale = 67.5 (no other figure here has it)


def setup_round(kind=Round.Kind.ONLINE):
    competition, organizer = a_competition(), boss()
    entry = an_entry(competition, organisation="青岛大学")
    first, second = a_judge(competition, organisation="山东大学"), a_judge(competition, organisation="复旦大学")
    round_ = a_round(competition, kind=kind, k=2, advance_count=1)
    mine = Assignment.objects.create(round=round_, judge=first, entry=entry)
    theirs = Assignment.objects.create(round=round_, judge=second, entry=entry)
    if kind == Round.Kind.LIVE:
        live_order_set(round_=round_, actor=organizer)
    round_open(round_=round_, actor=organizer)
    values = dict(zip([c.pk for c in round_.criteria.all()], ["7.5", "3.5", "9"]))
    scorecard_submit(assignment=mine, actor=first.user, values=values)
    return competition, organizer, entry, round_, mine, theirs


def pages(client, competition, entry, theirs):
    urls = [
        reverse("competitions:detail", args=[competition.pk]),
        reverse("competitions:entry", args=[entry.pk]),
        reverse("competitions:scorecard", args=[theirs.pk]),
        reverse("competitions:judging"),
    ]
    return {url: client.get(url) for url in urls}


@pytest.mark.django_db
def test_scores_hidden_over_http_until_released(client):
    competition, organizer, entry, round_, mine, theirs = setup_round()
    # The other judge: their own scorecard page of the same entry shows no one else's score.
    client.force_login(theirs.judge.user)
    for url, response in pages(client, competition, entry, theirs).items():
        assert SECRET not in response.content.decode(), url
    assert client.get(reverse("competitions:scorecard", args=[mine.pk])).status_code == 404
    # The team and an anonymous visitor.
    for viewer in (entry.lead, None):
        client.logout()
        if viewer:
            client.force_login(viewer)
        for url, response in pages(client, competition, entry, theirs).items():
            assert SECRET not in response.content.decode(), url
    # Nothing in the audit trail carries the score either.
    assert all(SECRET not in json.dumps(a.data) for a in AuditEntry.objects.all())
    # Closed: judges of the round now see each other's scores; the team still does not.
    round_close(round_=round_, actor=organizer)
    client.force_login(theirs.judge.user)
    assert SECRET in client.get(reverse("competitions:scorecard", args=[theirs.pk])).content.decode()
    client.force_login(entry.lead)
    assert SECRET not in client.get(reverse("competitions:entry", args=[entry.pk])).content.decode()


@pytest.mark.django_db
def test_final_screen_snapshot_hides_scores_until_reveal(client):
    competition, organizer, entry, round_, mine, theirs = setup_round(Round.Kind.LIVE)
    live_advance(round_=round_, actor=organizer, position=1)
    snapshot = client.get(reverse("competitions:screen_json", args=[competition.pk])).json()
    assert snapshot["progress"] == {"scored": 1, "judges": 2}
    assert snapshot["results"] == [] and snapshot["revealed"] is False
    assert SECRET not in json.dumps(snapshot)
    assert SECRET not in client.get(reverse("competitions:screen", args=[competition.pk])).content.decode()
    round_close(round_=round_, actor=organizer)
    results_compute(round_=round_, actor=organizer)
    assert SECRET not in json.dumps(client.get(reverse("competitions:screen_json", args=[competition.pk])).json())
    live_reveal(round_=round_, actor=organizer)
    revealed = client.get(reverse("competitions:screen_json", args=[competition.pk])).json()
    assert revealed["revealed"] is True
    assert revealed["results"] == [
        {"rank": 1, "title": entry.title, "organisation": "青岛大学", "score": "67.500", "award": ""}
    ]


def communicator(query):
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/live/?{query}")
    comm.scope["user"] = AnonymousUser()
    return comm


@pytest.mark.django_db(transaction=True)
async def test_final_pushes_carry_no_score_before_reveal():
    competition, organizer, entry, round_, mine, theirs = await sync_to_async(setup_round)(Round.Kind.LIVE)
    comm = communicator(f"topics=competition.{competition.pk}")
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from())["type"] == "hello"
    await sync_to_async(live_advance)(round_=round_, actor=organizer, position=1)
    values = dict(zip(await sync_to_async(lambda: [c.pk for c in round_.criteria.all()])(), ["6", "6", "6"]))
    await sync_to_async(scorecard_submit)(assignment=theirs, actor=theirs.judge.user, values=values)
    await sync_to_async(round_close)(round_=round_, actor=organizer)
    await sync_to_async(results_compute)(round_=round_, actor=organizer)
    before = [await comm.receive_json_from(timeout=5) for _ in range(4)]
    assert [m["payload"]["type"] for m in before] == ["final.state"] * 4
    assert before[1]["payload"]["progress"] == {"scored": 2, "judges": 2}
    for message in before:
        text = json.dumps(message)
        assert SECRET not in text and "63.75" not in text and "60.000" not in text  # no total, no mean
        assert message["payload"]["results"] == []
    await sync_to_async(live_reveal)(round_=round_, actor=organizer)
    after = await comm.receive_json_from(timeout=5)
    assert after["payload"]["revealed"] is True
    assert after["payload"]["results"][0]["score"] == "63.750"  # (67.5 + 60) / 2
    await comm.disconnect()


@pytest.mark.django_db
def test_published_round_page_shows_advancing_titles_only(client):
    competition, organizer, entry, round_, mine, theirs = setup_round()
    round_close(round_=round_, actor=organizer)
    results_compute(round_=round_, actor=organizer)
    results_review(round_=round_, actor=organizer)
    results_publish(round_=round_, actor=organizer)
    page = client.get(reverse("competitions:detail", args=[competition.pk])).content.decode()
    assert entry.title in page and SECRET not in page


@pytest.mark.django_db
def test_last_round_publish_tells_final_rank(django_capture_on_commit_callbacks):
    from notifications.models import Notification

    competition, organizer, entry, round_, mine, theirs = setup_round()
    round_close(round_=round_, actor=organizer)
    results_compute(round_=round_, actor=organizer)
    results_review(round_=round_, actor=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        results_publish(round_=round_, actor=organizer)
    notice = Notification.objects.get(kind="competition.final_result")
    assert notice.user_id == entry.lead_id and "排名第 1 位" in notice.body
    assert not Notification.objects.filter(kind="competition.advanced").exists()
