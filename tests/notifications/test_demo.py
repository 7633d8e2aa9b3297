"""The demo fills inboxes and shows an announcement, without flooding the console with e-mail."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Announcement, EmailDelivery, Notification, Preference

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_has_messages_and_an_announcement_but_sends_no_mail():
    call_command("load_demo", stdout=io.StringIO())
    announcement = Announcement.objects.get()
    assert announcement.recipients > 0 and announcement.author.email == "organizer@boju.local"
    assert Notification.objects.filter(kind="registration.confirmed").count() > 20
    assert Notification.objects.filter(announcement=announcement).count() == announcement.recipients
    assert mail.outbox == []
    assert not EmailDelivery.objects.exclude(status="skipped").exists()
    assert Preference.objects.count() == 0  # the temporary opt-out is gone: e-mail works afterwards
    call_command("load_demo", stdout=io.StringIO())
    assert Announcement.objects.count() == 1
