"""The programme home, the event page and "my events", through the Django test client."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from events.services import registration_cancel, registration_create

from ..factories import (
    EventFactory,
    RegistrationFactory,
    SeriesFactory,
    SessionFactory,
    UserFactory,
    candidate,
    company_member,
    organizer,
    team_member,
)

pytestmark = pytest.mark.django_db


def titles(response):
    return [e.title for _label, events in response.context["groups"] for e in events]


def card(page: str, event) -> str:
    """The HTML of one event's card on the home page."""
    match = re.search(rf'<a class="card event-card[^"]*" href="/events/{event.pk}/".*?</a>', page, re.S)
    assert match, f"no card for {event.title}"
    return re.sub(r"\s+", " ", match.group(0))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- programme home ------------------------------------------------------------------------


def test_home_lists_upcoming_published_grouped_by_kind(client):
    fair = EventFactory(title="春季招聘会", kind="fair")
    forum = EventFactory(title="智聚博坛论坛", kind="forum")
    cancelled = EventFactory(title="停办的路演", kind="roadshow", status="cancelled")
    EventFactory(title="草稿活动", status="draft")
    EventFactory(
        title="已结束", starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    response = client.get("/")
    assert response.status_code == 200
    assert [(label, [e.title for e in events]) for label, events in response.context["groups"]] == [
        ("专场招聘会", [fair.title]),
        ("学术研讨", [forum.title]),
        ("巡回招聘/路演", [cancelled.title]),
    ]
    page = response.content.decode()
    assert "草稿活动" not in page and "已结束" not in page


def test_home_card_shows_time_in_shanghai_place_and_seat_badges(client):
    # 17:30 UTC on 31 March is 01:30 on 1 April in Qingdao.
    starts = datetime(2031, 3, 31, 17, 30, tzinfo=UTC)
    hall = EventFactory(
        title="海洋科技专场",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=3,
        venue="青岛国际会展中心",
    )
    online = EventFactory(title="政策解读直播", mode="online", venue="", capacity=1, waitlist_enabled=True)
    closed_full = EventFactory(title="小型座谈", capacity=1, waitlist_enabled=False)
    cancelled = EventFactory(title="取消的论坛", status="cancelled")
    registration_create(event=hall, user=candidate())
    RegistrationFactory(event=online, user=candidate(), status="confirmed")
    RegistrationFactory(event=closed_full, user=candidate(), status="confirmed")
    page = client.get("/").content.decode()
    hall_card = card(page, hall)
    assert "2031-04-01 星期二 01:30–04:30" in hall_card
    assert "青岛 · 青岛国际会展中心" in hall_card
    assert '<span class="badge badge-ok">剩余 2 个名额</span>' in hall_card
    assert "线上活动" in card(page, online) and "已满·可候补" in card(page, online)
    assert '<span class="badge badge-off">已满</span>' in card(page, closed_full)
    assert '<span class="badge badge-off">已取消</span>' in card(page, cancelled)
    assert "剩余" not in card(page, cancelled)


def test_home_marks_my_registrations_on_cards(client):
    event = EventFactory(capacity=1)
    other = EventFactory()
    registration_create(event=event, user=candidate())
    person = candidate()
    registration_create(event=event, user=person)
    client.force_login(person)
    page = client.get("/").content.decode()
    assert "我在候补" in card(page, event)
    assert "我在候补" not in card(page, other) and "我已报名" not in card(page, other)


def test_home_filters_by_kind_mode_month_and_title(client):
    soon = timezone.now() + timedelta(days=3)
    later = soon + timedelta(days=40)
    EventFactory(title="青岛人工智能专场", kind="fair", mode="offline", starts_at=soon)
    EventFactory(
        title="绿色能源产才对接", kind="matchmaking", mode="hybrid", starts_at=later, online_url="https://x.cn"
    )
    EventFactory(title="政策培训（线上）", kind="training", mode="online", starts_at=later)
    assert titles(client.get("/?kind=matchmaking")) == ["绿色能源产才对接"]
    assert titles(client.get("/?mode=online")) == ["政策培训（线上）"]
    month = timezone.localtime(later).strftime("%Y-%m")
    assert sorted(titles(client.get(f"/?month={month}"))) == ["政策培训（线上）", "绿色能源产才对接"]
    assert titles(client.get("/?q=人工智能")) == ["青岛人工智能专场"]
    assert titles(client.get("/?kind=training&mode=hybrid")) == []
    response = client.get("/?q=人工智能")
    assert "找到 1 场活动" in text(response)


def test_home_month_filter_uses_shanghai_time(client):
    starts = datetime(2031, 3, 31, 17, 30, tzinfo=UTC)  # 2031-04-01 01:30 in Qingdao
    EventFactory(title="月初活动", starts_at=starts, ends_at=starts + timedelta(hours=2))
    assert titles(client.get("/?month=2031-04")) == ["月初活动"]
    assert titles(client.get("/?month=2031-03")) == []


@pytest.mark.parametrize(
    "query",
    [
        "month=2025-13",
        "month=abc",
        "month=2025-02-30",
        "month=99999-1",
        "kind=zzz",
        "q=" + "长" * 300,
        "kind[]=fair",
        "page=-1",
        "month=2025-1-1",
        "month=9999999999-01",
        "month=²０２５-01",
    ],
)
def test_home_bad_filter_values_are_ignored(client, query):
    EventFactory(title="仍然显示")
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert titles(response) == ["仍然显示"]


@pytest.mark.parametrize("query", ["mode=%00", "q=%00", "q=a%00b"])
def test_home_nul_in_a_filter_is_a_400_with_a_message(client, query):
    # NUL never reaches PostgreSQL from any query string (config.middleware.RejectNulMiddleware).
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert response.content.decode() == "请求中含有无效字符（NUL），请删除后重试。"


def test_home_bad_filter_values_show_short_field_errors(client):
    page = client.get("/?month=2025-13&kind=zzz&mode=moon").content.decode()
    assert re.findall(r'<ul class="errorlist" id="id_(\w+)_error"><li>(.*?)</li></ul>', page) == [
        ("kind", "请选择有效的活动类型。"),
        ("mode", "请选择有效的活动形式。"),
        ("month", "请选择有效的月份。"),
    ]
    assert "zzz" not in page.split("<main")[1]  # the bad value is not echoed into the page


def test_home_query_count_is_one_for_visitors(client, django_assert_num_queries):
    # Measured at 1 and at 100 events below; this one pins the absolute number.
    EventFactory()
    with django_assert_num_queries(1):
        client.get("/")


@pytest.mark.parametrize("count", [1, 100])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, count):
    series = SeriesFactory()
    action = series.actions.create(number=1, title="博聚英才")
    for number in range(count):
        EventFactory(series=series, action=action, kind=["fair", "forum", "training"][number % 3])
    with django_assert_num_queries(1):
        response = client.get("/")
    assert len(titles(response)) == count


@pytest.mark.parametrize("count", [1, 100])
def test_home_query_count_does_not_grow_for_candidates(client, django_assert_num_queries, count):
    person = candidate()
    for _ in range(count):
        registration_create(event=EventFactory(), user=person)
    client.force_login(person)
    # session, user, events, the viewer's registrations on those events
    with django_assert_num_queries(4):
        response = client.get("/")
    assert len(titles(response)) == count


# --- event page ----------------------------------------------------------------------------


def test_detail_shows_facts_seats_timetable_and_register_button(client):
    series = SeriesFactory()
    action = series.actions.create(number=2, title="博聚英才")
    starts = datetime(2031, 5, 20, 1, 0, tzinfo=UTC)  # 09:00 in Qingdao
    event = EventFactory(
        capacity=3,
        title="海洋科技专场",
        series=series,
        action=action,
        kind="forum",
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        address="红岛经济区会展路1号",
        description="面向海洋领域博士的学术交流。",
        eligibility=["phd", "postdoc"],
    )
    SessionFactory(
        event=event,
        title="主旨报告",
        speakers="李院士",
        room="B厅",
        starts_at=starts + timedelta(hours=1),
        ends_at=starts + timedelta(hours=2),
    )
    registration_create(event=event, user=candidate())
    client.force_login(candidate())
    page = text(client.get(event.get_absolute_url()))
    assert "data-seats-left>2</span>" in page
    assert '<span class="nowrap">2031-05-20 星期二</span> <span class="nowrap">09:00–17:00</span>' in page
    assert '青岛 · 青岛国际会展中心<br><span class="muted">红岛经济区会展路1号</span>' in page
    assert "<dd>博士、在站博士后</dd>" in page
    assert "博聚英才" in page and "面向海洋领域博士的学术交流。" in page
    assert '<span class="slot-time">10:00–11:00</span>' in page
    assert "主旨报告" in page and "主讲：李院士 · B厅" in page
    assert "立即报名</button>" in page
    assert f'data-live-topics="event.{event.pk}.public"' in page
    assert f'data-live-snapshot="/events/{event.pk}/live.json"' in page


def test_detail_button_says_waitlist_or_full(client):
    waitlist = EventFactory(capacity=1)
    no_waitlist = EventFactory(capacity=1, waitlist_enabled=False)
    for event in (waitlist, no_waitlist):
        registration_create(event=event, user=candidate())
    client.force_login(candidate())
    assert "加入候补</button>" in text(client.get(waitlist.get_absolute_url()))
    page = text(client.get(no_waitlist.get_absolute_url()))
    assert re.search(r"disabled>名额已满</button>", page)


def test_detail_states_confirmed_and_waitlist_position(client):
    event = EventFactory(capacity=1)
    first, second, third = candidate(), candidate(), candidate()
    for person in (first, second, third):
        registration_create(event=event, user=person)
    client.force_login(first)
    page = text(client.get(event.get_absolute_url()))
    assert 'data-status="confirmed">您已报名成功，名额已确认。</p>' in page
    assert "取消报名</button>" in page and "data-register-button" not in page
    client.force_login(third)
    page = text(client.get(event.get_absolute_url()))
    assert 'data-status="waitlisted">您在候补名单中，当前第 2 位。</p>' in page
    assert "退出候补</button>" in page
    assert 'data-text-position="您在候补名单中，当前第 {n} 位。"' in page


@pytest.mark.parametrize(
    "case, sentence",
    [
        ("not_open", "报名尚未开始，请于 2031-01-02 08:00 后再来。"),
        ("closed", "报名已截止。"),
        ("cancelled", "该活动已取消，不能报名。"),
        ("company", "只有博士、博士后候选人可以报名活动。"),
        ("no_profile", "报名前请先完善您的候选人资料。"),
        ("ineligible", "本活动仅面向：在站博士后。"),
    ],
)
def test_detail_explains_why_registration_is_not_possible(client, case, sentence):
    fields = {
        "not_open": {
            "registration_opens_at": datetime(2031, 1, 2, 0, 0, tzinfo=UTC),
            "starts_at": datetime(2031, 2, 1, tzinfo=UTC),
            "ends_at": datetime(2031, 2, 2, tzinfo=UTC),
        },
        "closed": {"registration_closes_at": timezone.now() - timedelta(hours=1)},
        "cancelled": {"status": "cancelled"},
        "ineligible": {"eligibility": ["postdoc"]},
    }.get(case, {})
    event = EventFactory(**fields)
    viewer = {"company": company_member, "no_profile": UserFactory}.get(case, candidate)()
    client.force_login(viewer)
    page = text(client.get(event.get_absolute_url()))
    assert re.search(rf'<p class="obstacle" data-obstacle="\w+">{re.escape(sentence)}</p>', page)
    assert "data-register-button" not in page
    if case == "no_profile":
        assert f'href="/me/profile/?next=/events/{event.pk}/">完善候选人资料</a>' in page


def test_detail_anonymous_gets_login_link_with_next(client):
    event = EventFactory()
    page = text(client.get(event.get_absolute_url()))
    assert f'href="/accounts/login/?next=/events/{event.pk}/">登录后报名</a>' in page
    assert f'<form method="post" action="/events/{event.pk}/register/"' not in page


def test_detail_online_link_only_for_confirmed(client):
    event = EventFactory(mode="hybrid", online_url="https://meeting.example.cn/room/42", capacity=1)
    person, waiting = candidate(), candidate()
    registration_create(event=event, user=person)
    registration_create(event=event, user=waiting)
    assert "meeting.example.cn" not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(waiting)
    assert "报名确认后显示参会链接" in client.get(event.get_absolute_url()).content.decode()
    client.force_login(person)
    assert 'href="https://meeting.example.cn/room/42"' in client.get(event.get_absolute_url()).content.decode()


def test_draft_is_404_for_public_and_visible_to_its_editor(client):
    draft = EventFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:snapshot", args=[draft.pk])).status_code == 404
    client.force_login(candidate())
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("events:register", args=[draft.pk])).status_code == 404
    assert client.get("/events/999999/").status_code == 404
    editor = organizer()
    team_member(draft, editor)
    client.force_login(editor)
    assert "草稿预览：该活动尚未发布。" in client.get(draft.get_absolute_url()).content.decode()
    client.force_login(organizer())  # an organizer of other events
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_register_and_cancel_through_the_views(client):
    event = EventFactory(capacity=1)
    person, other = candidate(), candidate()
    client.force_login(person)
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    assert response.redirect_chain == [(event.get_absolute_url(), 302)]
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
    response = client.post(reverse("events:cancel", args=[event.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["您没有该活动的有效报名。"]


def test_register_post_reads_the_event_only_under_the_seat_lock(client, django_assert_num_queries):
    event = EventFactory(capacity=5)
    ContentType.objects.get_for_model(Registration)  # the audit's content type, cached in a running server
    client.force_login(candidate())
    # Session, user; lock (event, own count, profile), insert, counters, audit, outbox; the
    # savepoint pair of the test's transaction. A query for the event before the lock is one more.
    with django_assert_num_queries(2 + 5 + 2):
        response = client.post(reverse("events:register", args=[event.pk]))
    assert response.url == event.get_absolute_url()
    assert Registration.objects.get(event=event).status == "confirmed"


def test_register_post_for_no_event_is_404(client):
    client.force_login(candidate())
    assert client.post(reverse("events:register", args=[987654321])).status_code == 404


def test_register_refusal_comes_back_as_message(client):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=5))
    client.force_login(candidate())
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["报名已截止。"]
    assert not Registration.objects.filter(event=event).exists()


def test_register_and_cancel_change_nothing_on_get(client):
    """After a login that interrupted a POST, the login page sends the person to the form's URL
    with GET: they land on the event page, and nothing is registered or cancelled."""
    event = EventFactory()
    register, cancel = reverse("events:register", args=[event.pk]), reverse("events:cancel", args=[event.pk])
    assert client.get(register).url == f"/accounts/login/?next={register}"
    person = candidate()
    client.force_login(person)
    assert client.get(register).url == event.get_absolute_url()
    assert not Registration.objects.filter(event=event).exists()
    registration_create(event=event, user=person)
    assert client.get(cancel).url == event.get_absolute_url()
    assert Registration.objects.get(event=event, user=person).status == "confirmed"
    assert client.get(reverse("events:register", args=[999999])).status_code == 302  # the page then 404s


def test_register_without_profile_sends_to_profile_and_anonymous_to_login(client):
    event = EventFactory()
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.url == f"/accounts/login/?next=/events/{event.pk}/register/"
    client.force_login(UserFactory())
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.url == f"/me/profile/?next=/events/{event.pk}/"


def test_snapshot_json_has_my_position(client):
    event = EventFactory(capacity=1)
    registration_create(event=event, user=candidate())
    person = candidate()
    mine = registration_create(event=event, user=person)
    client.force_login(person)
    response = client.get(reverse("events:snapshot", args=[event.pk]))
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["me"] == {"registration": mine.pk, "status": "waitlisted", "position": 1}
    assert (data["seats_left"], data["confirmed"], data["waitlisted"], data["version"]) == (0, 1, 1, 2)
    client.logout()
    assert client.get(reverse("events:snapshot", args=[event.pk])).json()["me"] is None


# --- my events -----------------------------------------------------------------------------


def test_my_events_lists_upcoming_and_past_with_status_and_position(client):
    person = candidate()
    upcoming = EventFactory(
        title="下月招聘会",
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=30, hours=3),
    )
    soon = EventFactory(title="本周论坛", capacity=1)
    registration_create(event=upcoming, user=person)
    registration_create(event=soon, user=candidate())
    registration_create(event=soon, user=candidate())
    registration_create(event=soon, user=person)
    old = EventFactory(
        title="旧活动", starts_at=timezone.now() - timedelta(days=5), ends_at=timezone.now() - timedelta(days=4)
    )
    RegistrationFactory(event=old, user=person, status="confirmed")
    client.force_login(person)
    response = client.get(reverse("events:my_events"))
    assert [(r.event.title, r.status, r.position) for r in response.context["upcoming"]] == [
        ("本周论坛", "waitlisted", 2),
        ("下月招聘会", "confirmed", None),
    ]
    assert [r.event.title for r in response.context["past"]] == ["旧活动"]
    page = text(response)
    assert "候补第 2 位" in page and "已确认" in page


def test_my_events_hides_cancelled_row_after_registering_again(client):
    person = candidate()
    event = EventFactory(title="反复报名")
    cancelled = EventFactory(title="取消了")
    first = registration_create(event=event, user=person)
    registration_cancel(registration=first, actor=person)
    registration_create(event=event, user=person)
    registration_cancel(registration=registration_create(event=cancelled, user=person), actor=person)
    client.force_login(person)
    rows = client.get(reverse("events:my_events")).context["upcoming"]
    assert [(r.event.title, r.status) for r in rows] == [("反复报名", "confirmed"), ("取消了", "cancelled")]


def test_my_events_needs_login_and_shows_only_own(client):
    assert client.get(reverse("events:my_events")).url.startswith("/accounts/login/")
    registration_create(event=EventFactory(title="别人的活动"), user=candidate())
    client.force_login(candidate())
    response = client.get(reverse("events:my_events"))
    assert response.context["upcoming"] == [] and "别人的活动" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_my_events_query_count_does_not_grow(client, django_assert_num_queries, count):
    person = candidate()
    for _ in range(count):
        event = EventFactory(capacity=1)
        registration_create(event=event, user=candidate())
        registration_create(event=event, user=person)
    client.force_login(person)
    with django_assert_num_queries(3):  # session, user, registrations with their places
        response = client.get(reverse("events:my_events"))
    assert [r.position for r in response.context["upcoming"]] == [1] * count
