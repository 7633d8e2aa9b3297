"""What notifications holds about a person in "my data" (page and JSON), and gone with the account."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from accounts.services import account_delete, personal_data_export
from events.calendar import calendar_feed_rotate
from events.models import CalendarFeed
from events.services import registration_create
from notifications import kinds
from notifications.models import Announcement, EmailDelivery, Notification, Preference, ReminderSent
from notifications.reminders import reminders_run
from notifications.services import notification_mark_read, preferences_save

from ..factories import PASSWORD, EventFactory, candidate

pytestmark = pytest.mark.django_db

QINGDAO = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 5, 20, 9, 0, tzinfo=QINGDAO)


def told_person(on_commit, **profile):
    """A candidate with a seat (confirmation message, e-mailed), a 24 h reminder (not e-mailed:
    turned off), a calendar link, and a read message."""
    event = EventFactory(
        title="海洋科学博士后专场", starts_at=START, ends_at=START + timedelta(hours=3), registration_opens_at=None
    )
    person = candidate(full_name="林晓", **profile)
    preferences_save(user=person, email_by_kind={"reminder.event": False})
    with on_commit(execute=True):
        registration_create(event=event, user=person)
    with on_commit(execute=True):
        assert reminders_run(now=START - timedelta(hours=23)) == 1
    confirmed = Notification.objects.get(user=person, kind="registration.confirmed")
    notification_mark_read(user=person, notification_id=confirmed.pk)
    feed = calendar_feed_rotate(user=person)
    return person, event, feed


def test_export_holds_messages_as_stored_email_state_choices_reminders_and_calendar_link(
    django_capture_on_commit_callbacks,
):
    person, event, feed = told_person(django_capture_on_commit_callbacks)
    stranger = candidate()
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=stranger)  # someone else's messages stay out

    data = personal_data_export(user=person)
    confirmed, reminder = data["notifications"]
    stored = Notification.objects.get(user=person, kind="registration.confirmed")
    delivery = EmailDelivery.objects.get(notification=stored)
    assert confirmed == {
        "kind": "registration.confirmed",
        "title": stored.title,
        "body": stored.body,
        "url": f"/events/{event.pk}/",
        "created_at": stored.created_at.isoformat(),
        "read_at": stored.read_at.isoformat(),
        "email_status": "sent",
        "email_attempts": 1,
        "email_sent_at": delivery.sent_at.isoformat(),
        "email_error": None,
    }
    assert confirmed["title"] == "报名成功：海洋科学博士后专场"
    assert (reminder["kind"], reminder["read_at"], reminder["email_status"], reminder["email_sent_at"]) == (
        "reminder.event",
        None,
        None,
        None,
    )
    assert reminder["title"] == "明天此时开始：海洋科学博士后专场"
    preference = Preference.objects.get(user=person)
    assert data["notification_preferences"] == [
        {"kind": "reminder.event", "by_email": False, "updated_at": preference.updated_at.isoformat()}
    ]
    sent = ReminderSent.objects.get(user=person)
    assert data["reminders_sent"] == [
        {"about": f"event:{event.pk}", "offset": "24h", "sent_at": sent.sent_at.isoformat()}
    ]
    assert data["calendar_feed"] == {"subscription_link": True, "created_at": feed.created_at.isoformat()}
    # The calendar link is a credential: the export says it exists, never what it is.
    assert feed.token not in json.dumps(data, ensure_ascii=False)


def test_json_download_and_page_show_the_sections_in_words(client, django_capture_on_commit_callbacks):
    person, _event, feed = told_person(django_capture_on_commit_callbacks)
    client.force_login(person)
    response = client.get("/me/data.json")
    assert feed.token not in response.content.decode()
    assert list(json.loads(response.content)) == [
        "account",
        "candidate_profile",
        "companies",
        "notifications",
        "notification_preferences",
        "reminders_sent",
        "registrations",
        "calendar_feed",
        "tickets",
    ]  # the ticket went out with the confirmation (checkin)

    response = client.get("/me/data/")
    page = response.content.decode()
    assert [str(s["title"]) for s in response.context["sections"]] == [
        "账户",
        "候选人资料",
        "所属单位",
        "消息",
        "消息邮件偏好",
        "已发送的提醒",
        "活动报名",
        "日历订阅",
        "电子票",
    ]
    assert feed.token not in page
    messages = response.context["sections"][3]
    assert [str(c) for c in messages["columns"]] == [
        "类型",
        "标题",
        "内容",
        "链接",
        "创建时间",
        "已读时间",
        "邮件状态",
        "邮件发送次数",
        "邮件发送时间",
        "邮件错误",
    ]
    # Kinds and e-mail states in words (their labels), as the JSON keeps the codes.
    assert [str(row[0]) for row in messages["rows"]] == [
        "报名成功（含电子票和日历文件）",
        "活动开始前提醒（24 小时、2 小时）",
    ]
    assert [row[6] and str(row[6]) for row in messages["rows"]] == ["已发送", None]
    assert "<td>报名成功：海洋科学博士后专场</td>" in page and "<td>已发送</td>" in page
    assert "<dt>个人订阅链接</dt><dd>是</dd>" in page
    assert "<td>活动开始前提醒（24 小时、2 小时）</td><td>否</td>" in page  # the preference row


def test_someone_never_told_anything_has_no_notification_sections():
    data = personal_data_export(user=candidate())
    assert list(data) == ["account", "candidate_profile", "companies", "registrations"]


@pytest.mark.django_db(transaction=True)
def test_deleting_the_account_erases_messages_email_records_choices_reminders_and_link(client):
    person, event, _feed = told_person(_execute_on_commit)
    other, _o_event, _o_feed = told_person(_execute_on_commit)
    announcement = Announcement.objects.create(
        target=f"event:{event.pk}", segment="registered", author=person, body="茶歇在二楼。"
    )
    mine = list(Notification.objects.filter(user=person).values_list("pk", flat=True))
    assert len(mine) == 2 and EmailDelivery.objects.filter(notification_id__in=mine).count() == 1

    client.force_login(person)
    response = client.post("/me/data/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    # Erased, including what the seat's release would tell the person after the commit.
    assert not Notification.objects.filter(user_id=person.pk).exists()
    assert not EmailDelivery.objects.filter(notification_id__in=mine).exists()
    assert not Preference.objects.filter(user_id=person.pk).exists()
    assert not ReminderSent.objects.filter(user_id=person.pk).exists()
    assert not CalendarFeed.objects.filter(user_id=person.pk).exists()
    # Others keep theirs; an announcement went to other people and stays, without its author.
    assert (
        Notification.objects.filter(user=other).count(),
        Preference.objects.filter(user=other).count(),
        ReminderSent.objects.filter(user=other).count(),
        CalendarFeed.objects.filter(user=other).count(),
    ) == (2, 1, 1, 1)
    announcement.refresh_from_db()
    assert announcement.author is None


def test_the_eraser_itself_deletes_rows_before_the_account_goes(django_capture_on_commit_callbacks, monkeypatch):
    """account_delete runs every registered eraser: notifications' must delete its rows itself,
    not rely on the cascade (checked by stopping before the user row is deleted)."""
    person, _event, _feed = told_person(django_capture_on_commit_callbacks)
    from accounts.models import User

    class Stop(Exception):
        pass

    def stop(self, *args, **kwargs):
        counts.append(
            (
                Notification.objects.filter(user=person).count(),
                Preference.objects.filter(user=person).count(),
                ReminderSent.objects.filter(user=person).count(),
            )
        )
        raise Stop

    counts = []
    monkeypatch.setattr(User, "delete", stop)
    with pytest.raises(Stop):
        account_delete(user=person)
    assert counts == [(0, 0, 0)]
    assert Notification.objects.filter(user=person).count() == 2  # the transaction rolled back


def test_accounts_ready_registers_notifications_part():
    from accounts import services
    from notifications import privacy

    assert privacy.personal_data_export in services._exporters
    assert privacy.personal_data_erase in services._erasers


def test_events_declares_its_kinds_in_ready_not_as_a_side_effect_of_an_import():
    import events.notices

    saved = dict(kinds._kinds)
    try:
        for key in [k for k in kinds._kinds if k.startswith(("registration.", "reminder.", "event."))]:
            del kinds._kinds[key]
        import events.services  # noqa: F401

        assert "registration.confirmed" not in kinds._kinds
        apps.get_app_config("events").ready()
        assert {
            "registration.confirmed",
            "registration.waitlisted",
            "registration.promoted",
            "registration.cancelled",
            "reminder.event",
            "reminder.session",
            "event.changed",
            "event.cancelled",
        } <= set(kinds._kinds)
    finally:
        kinds._kinds.clear()
        kinds._kinds.update(saved)


class _execute_on_commit:
    """Stand-in for django_capture_on_commit_callbacks in a transactional test, where on_commit
    callbacks run by themselves at each commit."""

    def __init__(self, execute=True):
        pass

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False
