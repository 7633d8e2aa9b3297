"""Inbox, mark read, unread count, preferences and the announcements console page."""

import pytest
from django.core import mail

from accounts.models import AuditEntry
from notifications.models import Announcement, Notification, Preference
from notifications.services import notify

from ..factories import EventFactory, RegistrationFactory, candidate, organizer, team_member

pytestmark = pytest.mark.django_db


def note(user, title="标题", **context):
    return notify(
        user=user, kind="announcement", context={"title": title, "body": "内容", "author": "主办方", **context}
    )


def test_inbox_lists_only_own_notifications_and_count(client):
    me, other = candidate(), candidate()
    note(me, title="活动A")
    note(other, title="别人的")
    client.force_login(me)
    page = client.get("/inbox/").content.decode()
    assert "主办方公告：活动A" in page and "别人的" not in page
    assert client.get("/me/notifications/unread.json").json() == {"unread": 1}


@pytest.mark.parametrize("count", [1, 30])
def test_inbox_query_count_does_not_grow(client, django_assert_num_queries, count):
    me = candidate()
    for i in range(count):
        note(me, title=f"活动{i}")
    client.force_login(me)
    with django_assert_num_queries(5):  # session, user, count for the paginator, page, unread count
        response = client.get("/inbox/")
    page = response.content.decode()
    assert response.status_code == 200
    # The newest page of notifications is shown (the inbox pages at 20), not only counted.
    shown = [i for i in range(count) if f"主办方公告：活动{i}<" in page]
    assert shown == list(range(max(0, count - 20), count))


def test_mark_read_one_and_all(client):
    me = candidate()
    first, second = note(me), note(me, url="/events/1/")
    client.force_login(me)
    response = client.post(f"/inbox/{second.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/events/1/"
    assert Notification.objects.filter(user=me, read_at__isnull=True).get() == first
    assert client.post("/inbox/read/").status_code == 302
    assert client.get("/me/notifications/unread.json").json() == {"unread": 0}


def test_mark_read_of_someone_elses_notification_is_404(client):
    theirs = note(candidate())
    client.force_login(candidate())
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_next_must_stay_on_site(client):
    me = candidate()
    mine = note(me)
    client.force_login(me)
    response = client.post(f"/inbox/{mine.pk}/read/", {"next": "https://evil.example.com/"})
    assert response["Location"] == "/inbox/"


def test_inbox_needs_login(client):
    assert client.get("/inbox/").status_code == 302
    assert client.get("/me/notifications/unread.json").status_code == 302


def test_preferences_page_saves_and_is_honoured(client, django_capture_on_commit_callbacks):
    me = candidate()
    client.force_login(me)
    page = client.get("/me/notifications/preferences/").content.decode()
    assert 'name="email:registration.waitlisted"' in page and "进入候补名单" in page
    assert 'name="email:company.pending"' not in page  # organizers' kinds are not shown to candidates
    # Everything on except the waiting-list e-mail.
    boxes = {f"email:{key}": "1" for key in ("registration.confirmed", "announcement", "reminder.event")}
    assert client.post("/me/notifications/preferences/", boxes).status_code == 302
    assert Preference.objects.get(user=me, kind="registration.waitlisted").email is False
    assert Preference.objects.get(user=me, kind="registration.confirmed").email is True
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=me,
            kind="registration.waitlisted",
            context={
                "event_id": 1,
                "title": "专场",
                "when": "2031-01-01 09:00–10:00",
                "where": "青岛",
                "mode_label": "线下",
                "position": 2,
                "url": "/events/1/",
            },
        )
        notify(user=me, kind="announcement", context={"title": "专场", "body": "改到B馆", "author": "主办方"})
    assert [m.subject for m in mail.outbox] == ["【博聚】主办方公告：专场"]
    assert Notification.objects.filter(user=me).count() == 2  # the inbox keeps both


def test_announcement_page_sends_and_shows_reach(client, django_capture_on_commit_callbacks):
    event = EventFactory(title="人工智能专场")
    boss = organizer()
    team_member(event, boss)
    seats = [RegistrationFactory(event=event).user for _ in range(3)]
    RegistrationFactory(event=event, status="waitlisted")
    client.force_login(boss)
    page = client.get(f"/console/events/{event.pk}/announcements/").content.decode()
    assert 'value="registered"' in page and 'value="waitlisted"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/console/events/{event.pk}/announcements/", {"segment": "registered", "body": "签到改在B馆入口。"}
        )
    assert response.status_code == 302
    sent = Announcement.objects.get()
    assert (sent.target, sent.segment, sent.recipients, sent.emails_queued) == (f"event:{event.pk}", "registered", 3, 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in seats)
    assert mail.outbox[0].subject == "【博聚】主办方公告：人工智能专场"
    assert "签到改在B馆入口。" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="announcement.send", data__recipients=3).count() == 1
    page = client.get(f"/console/events/{event.pk}/announcements/").content.decode()
    assert "签到改在B馆入口。" in page and "3 / 3" in page


def test_announcement_refusals_are_translated_4xx(client):
    event = EventFactory()
    boss = organizer(manages_all=True)
    client.force_login(boss)
    url = f"/console/events/{event.pk}/announcements/"
    empty = client.post(url, {"segment": "registered", "body": "  "})
    assert empty.status_code == 400 and "请填写公告内容。" in empty.content.decode()
    nobody = client.post(url, {"segment": "registered", "body": "你好"})
    assert nobody.status_code == 400 and "所选对象目前没有人，公告未发送。" in nobody.content.decode()
    bad = client.post(url, {"segment": "everyone'; drop", "body": "你好"})
    assert bad.status_code == 400 and "请选择有效的发送对象。" in bad.content.decode()
    long = client.post(url, {"segment": "registered", "body": "长" * 2001})
    assert long.status_code == 400
    assert Announcement.objects.count() == 0


def test_announcement_page_is_404_outside_the_team(client):
    event = EventFactory()
    RegistrationFactory(event=event)
    for outsider in (organizer(), candidate()):
        client.force_login(outsider)
        assert client.get(f"/console/events/{event.pk}/announcements/").status_code == 404
        assert (
            client.post(
                f"/console/events/{event.pk}/announcements/", {"segment": "registered", "body": "x"}
            ).status_code
            == 404
        )
    assert Announcement.objects.count() == 0


def test_event_page_shows_received_announcement_and_calendar_link(client, django_capture_on_commit_callbacks):
    event = EventFactory(title="海洋论坛")
    reader = RegistrationFactory(event=event).user
    from notifications.announcements import announcement_send

    with django_capture_on_commit_callbacks(execute=True):
        announcement_send(
            actor=organizer(manages_all=True),
            kind="event",
            target_id=event.pk,
            segment="registered",
            body="下午场改到三楼。",
        )
    client.force_login(reader)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "下午场改到三楼。" in page
    assert f'href="/events/{event.pk}/calendar.ics"' in page
    client.force_login(candidate())
    assert "下午场改到三楼。" not in client.get(f"/events/{event.pk}/").content.decode()


def test_header_has_inbox_link_for_members_only(client):
    me = candidate()
    client.force_login(me)
    page = client.get("/").content.decode()
    assert 'id="inbox-link"' in page and f'data-user="{me.pk}"' in page
    client.logout()
    assert 'id="inbox-link"' not in client.get("/").content.decode()


def test_pages_render_in_english_too(client):
    event = EventFactory()
    boss = organizer(manages_all=True)
    reader = RegistrationFactory(event=event).user
    client.cookies["django_language"] = "en"
    client.force_login(reader)
    note(reader)
    pages = {
        "/inbox/": ("<h1>Messages</h1>", "<h1>消息</h1>"),
        "/me/notifications/preferences/": ("<h1>Notification settings</h1>", "<h1>通知设置</h1>"),
        "/me/calendar/": ("<h1>Calendar subscription</h1>", "<h1>日历订阅</h1>"),
        f"/events/{event.pk}/": ('<html lang="en">', '<html lang="zh-hans">'),
    }
    for path, (english, chinese) in pages.items():
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200 and response.headers["Content-Language"] == "en", path
        assert english in page and chinese not in page, path
    client.force_login(boss)
    page = client.get(f"/console/events/{event.pk}/announcements/").content.decode()
    assert "· Announcement</h1>" in page


def test_admin_lists_notifications_and_deliveries(admin_client):
    note(candidate(), title="活动A")
    for path in (
        "/admin/notifications/notification/",
        "/admin/notifications/emaildelivery/",
        "/admin/notifications/announcement/",
        "/admin/notifications/preference/",
        "/admin/notifications/remindersent/",
    ):
        page = admin_client.get(path).content.decode()
        assert 'id="changelist"' in page, path
    # The notification list shows the row itself, not only an empty table.
    assert "主办方公告：活动A" in admin_client.get("/admin/notifications/notification/").content.decode()
