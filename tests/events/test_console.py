"""The organizer console: permissions on every URL, the event life cycle and its form, series,
sessions, team, the console home. Registration lists and exports: test_console_registrations.py."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from events.models import Action, Event, EventTeamMember, Registration, Series, Session
from events.services import registration_create

from ..factories import (
    EventFactory,
    RegistrationFactory,
    SeriesFactory,
    candidate,
    company_member,
    organizer,
    team_member,
)
from .console_support import LOCAL, SHANGHAI, flash, local, setup  # noqa: F401  (setup is a fixture)

pytestmark = pytest.mark.django_db


def event_urls(event, registration, session, member):
    """Every event-scoped console URL."""
    e = f"/console/events/{event.pk}"
    return [
        f"{e}/",
        f"{e}/edit/",
        f"{e}/publish/",
        f"{e}/cancel/",
        f"{e}/sessions/new/",
        f"{e}/sessions/{session.pk}/",
        f"{e}/sessions/{session.pk}/delete/",
        f"{e}/team/",
        f"{e}/team/{member.pk}/remove/",
        f"{e}/registrations/",
        f"{e}/registrations.xlsx",
        f"{e}/registrations.csv",
        f"{e}/registrations/{registration.pk}/promote/",
        f"{e}/registrations/{registration.pk}/cancel/",
        f"{e}/audit/",
    ]


GENERAL_URLS = ["/console/", "/console/series/", "/console/series/new/", "/console/events/new/", "/console/companies/"]


def snapshot(event):
    return (
        Event.objects.filter(pk=event.pk).values_list("status", "title", "capacity").get(),
        list(Registration.objects.filter(event=event).order_by("id").values_list("status", flat=True)),
        list(Session.objects.filter(event=event).values_list("pk", flat=True)),
        list(EventTeamMember.objects.filter(event=event).values_list("user_id", "can_edit", "can_scan")),
    )


def test_organizer_outside_the_team_gets_404_on_every_event_url_and_method(client, setup):
    event, _first, waiting, session, _editor, member = setup
    scanner = organizer()
    team_member(event, scanner, can_edit=False, can_scan=True)  # may scan, not edit
    before = snapshot(event)
    data = {"email": scanner.email, "can_edit": "on", "title": "x", "capacity": 5}
    for user in (organizer(), scanner):
        client.force_login(user)
        for url in event_urls(event, waiting, session, member):
            assert client.get(url).status_code == 404, url
            assert client.post(url, data).status_code == 404, url
    assert snapshot(event) == before
    assert not AuditEntry.objects.filter(actor__in=[scanner]).exists()


def test_unknown_event_is_404_for_an_organizer_who_manages_all(client, setup):
    event, _first, waiting, session, _editor, member = setup
    client.force_login(organizer(manages_all=True))
    assert client.get(f"/console/events/{event.pk}/").status_code == 200
    missing = EventFactory()
    missing_pk = missing.pk
    missing.delete()
    assert client.get(f"/console/events/{missing_pk}/").status_code == 404
    # A registration or session of another event is not reachable through this one.
    other = EventFactory()
    assert client.post(f"/console/events/{other.pk}/registrations/{waiting.pk}/cancel/").status_code == 404
    assert client.get(f"/console/events/{other.pk}/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/console/events/{other.pk}/team/{member.pk}/remove/").status_code == 404


def test_candidates_and_companies_get_403_and_visitors_the_login_page(client, setup):
    event, _first, waiting, session, _editor, member = setup
    before = snapshot(event)
    urls = event_urls(event, waiting, session, member) + GENERAL_URLS
    for user in (candidate(), company_member()):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
            assert client.post(url, {"title": "x"}).status_code == 403, url
    client.logout()
    for url in urls:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), url
    assert snapshot(event) == before


def test_write_urls_refuse_get_with_405(client, setup):
    event, _first, waiting, _session, editor, _member = setup
    client.force_login(editor)
    assert client.get(f"/console/events/{event.pk}/publish/").status_code == 405
    assert client.get(f"/console/events/{event.pk}/registrations/{waiting.pk}/promote/").status_code == 405
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def event_form(series, **overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=10), SHANGHAI).replace(second=0, microsecond=0)
    data = {
        "series": series.pk,
        "kind": "fair",
        "title": "秋季博士后专场招聘会",
        "mode": "offline",
        "city": "青岛",
        "venue": "青岛国际会展中心",
        "starts_at": start.strftime(LOCAL),
        "ends_at": (start + timedelta(hours=4)).strftime(LOCAL),
        "capacity": 1,
        "waitlist_enabled": "on",
        "registration_opens_at": (start - timedelta(days=20)).strftime(LOCAL),
    }
    data.update(overrides)
    return data


def test_create_publish_then_more_seats_promote_the_waiting_list(client):
    series = SeriesFactory()
    head = organizer()
    client.force_login(head)
    form = event_form(series, eligibility=["phd", "postdoc"])
    response = client.post("/console/events/new/", form)
    event = Event.objects.get(title="秋季博士后专场招聘会")
    assert response.status_code == 302 and response.url == f"/console/events/{event.pk}/"
    assert flash(response) == ["活动已创建（草稿），发布后才会公开。"]
    assert (event.status, event.created_by, event.eligibility) == ("draft", head, ["phd", "postdoc"])
    assert list(EventTeamMember.objects.filter(event=event).values_list("user", "can_edit", "can_scan")) == [
        (head.pk, True, True)
    ]
    # Typed as Beijing time, stored in UTC: 8 hours earlier.
    typed = datetime.strptime(form["starts_at"], LOCAL)
    assert event.starts_at == typed.replace(tzinfo=SHANGHAI)
    assert event.starts_at.astimezone(ZoneInfo("UTC")).replace(tzinfo=None) == typed - timedelta(hours=8)

    response = client.post(f"/console/events/{event.pk}/publish/")
    assert flash(response) == ["活动已发布。"]
    event.refresh_from_db()
    assert event.status == "published"
    regs = [registration_create(event=event, user=candidate(postdoc_status="in_station")) for _ in range(4)]
    assert [r.status for r in regs] == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]

    # The same form with more seats (a second event_form() could fall in the next minute and
    # change the times too, on a slow machine).
    response = client.post(f"/console/events/{event.pk}/edit/", {**form, "capacity": 3})
    assert response.status_code == 302 and flash(response) == ["活动已更新。"]
    assert [Registration.objects.get(pk=r.pk).status for r in regs] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    update = AuditEntry.objects.get(action="event.update")
    assert (update.actor, update.data) == (head, {"changed": ["capacity"], "promoted": [regs[1].pk, regs[2].pk]})
    assert list(
        AuditEntry.objects.filter(action="registration.promote").order_by("id").values_list("target_id", flat=True)
    ) == [str(regs[1].pk), str(regs[2].pk)]

    response = client.post(f"/console/events/{event.pk}/cancel/")
    assert flash(response) == ["活动已取消。"]
    response = client.post(f"/console/events/{event.pk}/publish/")
    assert flash(response) == ["已取消的活动不能再次发布。"]
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert list(
        AuditEntry.objects.filter(target_id=str(event.pk), action__startswith="event.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["event.create", "event.published", "event.update", "event.cancelled"]


def test_edit_form_shows_beijing_time_and_only_the_series_actions(client, setup):
    event, *_rest, editor, _member = setup
    own = Action.objects.create(series=event.series, number=1, title="博聚英才")
    other_series = Series.objects.create(title="2024 行动", slug="actions-2024", year=2024)
    Action.objects.create(series=other_series, number=1, title="旧行动")
    client.force_login(editor)
    response = client.get(f"/console/events/{event.pk}/edit/")
    form = response.context["form"]
    assert list(form.fields["action"].queryset) == [own]
    page = response.content.decode()
    assert f'value="{local(event.starts_at)}"' in page and 'type="datetime-local"' in page
    assert f'<option value="{own.pk}" data-series="{event.series_id}">博聚英才</option>' in page


def test_lowering_capacity_below_confirmed_warns(client, setup):
    event, first, *_rest, editor, _member = setup
    RegistrationFactory(event=event)  # a second confirmed seat (as if promoted by hand)
    client.force_login(editor)
    data = event_form(
        event.series,
        title=event.title,
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        registration_opens_at="",
        capacity=1,
    )
    response = client.post(f"/console/events/{event.pk}/edit/", data)
    assert flash(response) == ["活动已更新。", "已确认人数（2）超过新的名额（1），已确认的报名不会被自动取消。"]


INVALID = [
    ({"ends_at": "START"}, "ends_at", "结束时间必须晚于开始时间。"),
    ({"mode": "online", "online_url": ""}, "online_url", "线上或线上+线下活动需要填写线上链接。"),
    (
        {"mode": "hybrid", "online_url": "https://meeting.example.cn/1", "venue": ""},
        "venue",
        "线下或线上+线下活动需要填写场馆。",
    ),
    ({"registration_closes_at": "END"}, "registration_closes_at", "报名截止时间必须早于活动结束时间。"),
    ({"registration_opens_at": "START"}, "registration_opens_at", "报名开始时间必须早于报名截止时间。"),
    ({"capacity": 0}, "capacity", "确保该值大于或等于1。"),
    ({"capacity": "many"}, "capacity", "输入整数。"),
    ({"capacity": 10**12}, "capacity", "确保该值小于或等于100000。"),
    ({"starts_at": "tomorrow"}, "starts_at", "输入一个有效的日期/时间。"),
    ({"series": 999999}, "series", "选择一个有效的选项： 该选择不在可用的选项中。"),
    ({"title": ""}, "title", "这个字段是必填项。"),
]


@pytest.mark.parametrize(("change", "field", "message"), INVALID)
def test_invalid_event_form_is_refused_and_saves_nothing(client, change, field, message):
    series = SeriesFactory()
    client.force_login(organizer())
    data = event_form(series)
    change = {k: data["starts_at"] if v == "START" else data["ends_at"] if v == "END" else v for k, v in change.items()}
    data.update(change)
    response = client.post("/console/events/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert (Event.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_action_of_another_series_is_refused_and_edit_changes_nothing(client, setup):
    event, *_rest, editor, _member = setup
    other_series = Series.objects.create(title="2024 行动", slug="actions-2024", year=2024)
    foreign = Action.objects.create(series=other_series, number=1, title="旧行动")
    client.force_login(editor)
    before = snapshot(event)
    data = event_form(event.series, title="改名", action=foreign.pk)
    response = client.post(f"/console/events/{event.pk}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["action"] == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    assert snapshot(event) == before and not AuditEntry.objects.filter(action="event.update").exists()


def test_series_with_actions_created_edited_and_listed(client):
    head = organizer()
    client.force_login(head)
    management = {"actions-TOTAL_FORMS": 3, "actions-INITIAL_FORMS": 0}
    data = {
        "title": "2026 博士后人才集聚十大行动",
        "slug": "ten-actions-2026",
        "year": 2026,
        **management,
        "actions-0-number": 1,
        "actions-0-title": "博聚英才",
        "actions-1-number": 2,
        "actions-1-title": "产才对接",
        "actions-1-description": "企业与博士面对面",
    }
    response = client.post("/console/series/new/", data)
    assert response.status_code == 302 and response.url == "/console/series/"
    series = Series.objects.get(slug="ten-actions-2026")
    assert list(series.actions.values_list("number", "title", "description")) == [
        (1, "博聚英才", ""),
        (2, "产才对接", "企业与博士面对面"),
    ]
    assert AuditEntry.objects.get(action="series.create").actor == head
    first, second = series.actions.order_by("number")
    edit = {
        "title": series.title,
        "slug": series.slug,
        "year": 2026,
        "actions-TOTAL_FORMS": 3,
        "actions-INITIAL_FORMS": 2,
        "actions-0-id": first.pk,
        "actions-0-number": 1,
        "actions-0-title": "博聚英才行动",
        "actions-1-id": second.pk,
        "actions-1-number": 2,
        "actions-1-title": "产才对接",
        "actions-1-DELETE": "on",
        "actions-2-number": 3,
        "actions-2-title": "揭榜领题",
    }
    assert client.post(f"/console/series/{series.pk}/", edit).status_code == 302
    assert list(series.actions.values_list("number", "title")) == [(1, "博聚英才行动"), (3, "揭榜领题")]
    listing = client.get("/console/series/")
    assert [(s.title, s.action_count, s.event_count) for s in listing.context["series_list"]] == [
        ("2026 博士后人才集聚十大行动", 2, 0)
    ]


def test_invalid_series_or_actions_save_nothing(client):
    client.force_login(organizer())
    data = {
        "title": "2026 行动",
        "slug": "not a slug!",
        "year": 2026,
        "actions-TOTAL_FORMS": 2,
        "actions-INITIAL_FORMS": 0,
        "actions-0-number": 1,
        "actions-0-title": "甲",
        "actions-1-number": 1,
        "actions-1-title": "乙",
    }
    response = client.post("/console/series/new/", data)
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    data["slug"] = "actions-2026"
    response = client.post("/console/series/new/", data)
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == ["行动序号不能重复。"]
    assert (Series.objects.count(), Action.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_sessions_are_added_edited_and_deleted_within_the_event(client, setup):
    event, *_rest, session, editor, _member = setup
    client.force_login(editor)
    start = event.starts_at
    outside = {
        "title": "晚间交流",
        "starts_at": local(start - timedelta(hours=2)),
        "ends_at": local(start - timedelta(hours=1)),
    }
    response = client.post(f"/console/events/{event.pk}/sessions/new/", outside)
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"] == ["日程时间必须在活动时间之内。"]
    begin = (start + timedelta(minutes=30)).replace(second=0, microsecond=0)
    inside = {
        "title": "项目路演",
        "room": "B2",
        "starts_at": local(begin),
        "ends_at": local(begin + timedelta(hours=1)),
    }
    response = client.post(f"/console/events/{event.pk}/sessions/new/", inside)
    assert response.status_code == 302 and flash(response) == ["日程已保存。"]
    added = event.sessions.get(title="项目路演")
    assert (added.room, added.starts_at) == ("B2", begin)
    inside["title"] = "项目路演（决赛）"
    response = client.post(f"/console/events/{event.pk}/sessions/{added.pk}/", inside)
    assert response.status_code == 302 and flash(response) == ["日程已保存。"]
    response = client.post(f"/console/events/{event.pk}/sessions/{session.pk}/delete/")
    assert flash(response) == ["日程已删除。"]
    assert list(event.sessions.values_list("title", flat=True)) == ["项目路演（决赛）"]
    assert list(
        AuditEntry.objects.filter(action__startswith="session.").order_by("id").values_list("action", flat=True)
    ) == ["session.create", "session.update", "session.delete"]
    page = client.get(f"/console/events/{event.pk}/")
    assert [s.title for s in page.context["sessions"]] == ["项目路演（决赛）"]
    trail = [e.action for e in client.get(f"/console/events/{event.pk}/audit/").context["page"]]
    assert trail[:3] == ["session.delete", "session.update", "session.create"]


def test_team_members_added_by_email_and_removed(client, setup):
    event, *_rest, editor, _member = setup
    client.force_login(editor)
    scanner = organizer(email="scanner@boju.cn")
    response = client.post(f"/console/events/{event.pk}/team/", {"email": "Scanner@Boju.cn", "can_scan": "on"})
    assert flash(response) == ["活动团队已更新：scanner@boju.cn"]
    entry = EventTeamMember.objects.get(event=event, user=scanner)
    assert (entry.can_edit, entry.can_scan) == (False, True)
    refused = [
        ({"email": "nobody@boju.cn", "can_edit": "on"}, "找不到该邮箱对应的主办方账号。"),
        ({"email": candidate().email, "can_edit": "on"}, "找不到该邮箱对应的主办方账号。"),
        ({"email": scanner.email}, "请至少勾选一项权限。"),
        ({"email": "not-an-email", "can_edit": "on"}, "输入一个有效的 Email 地址。"),
    ]
    for data, message in refused:
        assert flash(client.post(f"/console/events/{event.pk}/team/", data)) == [message]
    page = client.get(f"/console/events/{event.pk}/")
    assert sorted(m.user.email for m in page.context["team"]) == sorted([editor.email, "scanner@boju.cn"])
    response = client.post(f"/console/events/{event.pk}/team/{entry.pk}/remove/")
    assert flash(response) == ["已将 scanner@boju.cn 移出活动团队。"]
    assert list(EventTeamMember.objects.filter(event=event).values_list("user", flat=True)) == [editor.pk]
    assert list(AuditEntry.objects.filter(action__startswith="team.").order_by("id").values_list("action", "data")) == [
        ("team.set", {"user": scanner.pk, "can_edit": False, "can_scan": True}),
        ("team.remove", {"user": scanner.pk}),
    ]


@pytest.mark.parametrize("count", [1, 25])
def test_console_home_query_count_is_constant(client, django_assert_num_queries, count):
    head = organizer()
    for index in range(count):
        upcoming = EventFactory()
        past = EventFactory(starts_at=timezone.now() - timedelta(days=index + 2))
        for event in (upcoming, past):
            team_member(event, head)
            RegistrationFactory(event=event)
    EventFactory()  # not on this organizer's team
    client.force_login(head)
    # session, user, the two permission lookups, upcoming, past
    with django_assert_num_queries(6):
        response = client.get("/console/")
    upcoming, past = list(response.context["upcoming"]), list(response.context["past"])
    assert (len(upcoming), len(past)) == (count, count)
    assert [e.starts_at for e in upcoming] == sorted(e.starts_at for e in upcoming)
    assert [e.starts_at for e in past] == sorted((e.starts_at for e in past), reverse=True)
    assert {(e.confirmed_count, e.waitlisted_count) for e in upcoming + past} == {(1, 0)}


def test_every_console_page_renders_for_the_editor(client, setup):
    event, _first, waiting, session, editor, _member = setup
    Action.objects.create(series=event.series, number=1, title="博聚英才")
    client.force_login(editor)
    e = f"/console/events/{event.pk}"
    pages = {
        "/console/": event.title,
        "/console/series/": event.series.title,
        "/console/series/new/": "新建系列活动",
        f"/console/series/{event.series_id}/": "博聚英才",
        "/console/events/new/": "时间（北京时间）",
        f"{e}/": session.title,
        f"{e}/edit/": event.title,
        f"{e}/sessions/new/": "添加日程",
        f"{e}/sessions/{session.pk}/": session.title,
        f"{e}/registrations/": waiting.user.email,
        f"{e}/audit/": "报名进入候补",
    }
    # Company verification is head office's (issue 13): an event's editor gets 403 there.
    assert client.get("/console/companies/").status_code == 403
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert text in page, url
        assert ("css/console.css" in page and 'class="table-wrap"' in page) or "<table" not in page, url
