"""The programme home, the event page and "my events", through the Django test client."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from events.services import registration_create

from ..factories import EventFactory, SessionFactory, candidate, company_member

pytestmark = pytest.mark.django_db


def titles(response):
    return [e.title for _label, events in response.context["groups"] for e in events]


def test_home_lists_upcoming_published_grouped_by_kind(client):
    fair = EventFactory(title="春季招聘会", kind="fair")
    forum = EventFactory(title="智聚博坛论坛", kind="forum")
    EventFactory(title="草稿活动", status="draft")
    EventFactory(title="已结束", starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2))
    response = client.get("/")
    assert response.status_code == 200
    assert [(label, [e.title for e in events]) for label, events in response.context["groups"]] == [
        ("专场招聘会", [fair.title]), ("学术研讨", [forum.title])]
    assert "草稿活动" not in response.content.decode()


def test_home_filters_by_kind_mode_month_and_title(client):
    soon = timezone.now() + timedelta(days=3)
    later = soon + timedelta(days=40)
    EventFactory(title="青岛人工智能专场", kind="fair", mode="offline", starts_at=soon)
    EventFactory(title="绿色能源产才对接", kind="matchmaking", mode="hybrid", starts_at=later, online_url="https://x.cn")
    EventFactory(title="政策培训（线上）", kind="training", mode="online", starts_at=later)
    assert titles(client.get("/?kind=matchmaking")) == ["绿色能源产才对接"]
    assert titles(client.get("/?mode=online")) == ["政策培训（线上）"]
    month = timezone.localtime(later).strftime("%Y-%m")
    assert sorted(titles(client.get(f"/?month={month}"))) == ["政策培训（线上）", "绿色能源产才对接"]
    assert titles(client.get("/?q=人工智能")) == ["青岛人工智能专场"]
    # Nonsense values are ignored or rejected by the form, never a 500.
    assert client.get("/?month=2025-13&kind=zzz&mode=%00").status_code == 200
    assert client.get("/?month=abc").status_code == 200


@pytest.mark.parametrize("count", [1, 100])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, count):
    for _ in range(count):
        EventFactory()
    with django_assert_num_queries(1):
        response = client.get("/")
    assert len(titles(response)) == count


def test_detail_shows_seats_timetable_and_register_button(client):
    event = EventFactory(capacity=3, title="海洋科技专场")
    SessionFactory(event=event, title="主旨报告", speakers="李院士")
    registration_create(event=event, user=candidate())
    person = candidate()
    client.force_login(person)
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'data-seats-left>2</div>' in page
    assert "主旨报告" in page and "李院士" in page
    assert "立即报名" in page


def test_detail_states_confirmed_waitlisted_and_reasons(client):
    event = EventFactory(capacity=1)
    first, second = candidate(), candidate()
    registration_create(event=event, user=first)
    registration_create(event=event, user=second)
    client.force_login(first)
    assert "您已报名成功，名额已确认。" in client.get(event.get_absolute_url()).content.decode()
    client.force_login(second)
    assert "您在候补名单中，当前第 1 位。" in client.get(event.get_absolute_url()).content.decode()
    client.force_login(company_member())
    assert "只有博士、博士后候选人可以报名活动。" in client.get(event.get_absolute_url()).content.decode()
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    assert "报名已截止。" in client.get(closed.get_absolute_url()).content.decode()


def test_draft_is_404_for_public(client):
    draft = EventFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:snapshot", args=[draft.pk])).status_code == 404
    client.force_login(candidate())
    assert client.post(reverse("events:register", args=[draft.pk])).status_code == 404


def test_register_and_cancel_through_the_views(client):
    event = EventFactory(capacity=1)
    person, other = candidate(), candidate()
    client.force_login(person)
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["报名成功，您的名额已确认。"]
    client.force_login(other)
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["名额已满，您已进入候补名单，当前第 1 位。"]
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["您已报名该活动，无需重复报名。"]
    client.force_login(person)
    response = client.post(reverse("events:cancel", args=[event.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["已取消报名。"]
    assert Registration.objects.get(event=event, user=other).status == "confirmed"


def test_register_without_profile_sends_to_profile_and_anonymous_to_login(client):
    event = EventFactory()
    assert client.post(reverse("events:register", args=[event.pk])).url.startswith("/accounts/login/")
    from ..factories import UserFactory

    client.force_login(UserFactory())
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.url == f"/me/profile/?next=/events/{event.pk}/"


def test_snapshot_json_has_my_position(client):
    event = EventFactory(capacity=1)
    registration_create(event=event, user=candidate())
    person = candidate()
    mine = registration_create(event=event, user=person)
    client.force_login(person)
    data = client.get(reverse("events:snapshot", args=[event.pk])).json()
    assert data["me"] == {"registration": mine.pk, "status": "waitlisted", "position": 1}
    assert (data["seats_left"], data["confirmed"], data["waitlisted"], data["version"]) == (0, 1, 1, 2)


def test_my_events_lists_upcoming_and_past_with_status(client):
    person = candidate()
    upcoming = EventFactory(title="下月招聘会")
    registration_create(event=upcoming, user=person)
    past = EventFactory(title="旧活动", starts_at=timezone.now() - timedelta(days=5),
                        ends_at=timezone.now() - timedelta(days=4))
    Registration.objects.create(event=past, user=person, status="confirmed")
    client.force_login(person)
    response = client.get(reverse("events:my_events"))
    assert [r.event.title for r in response.context["upcoming"]] == ["下月招聘会"]
    assert [r.event.title for r in response.context["past"]] == ["旧活动"]
