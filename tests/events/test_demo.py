"""The demo programme loaded by `make run`."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Company, User
from accounts.validators import validate_credit_code
from events.models import Event, Registration, Series

pytestmark = pytest.mark.django_db


def counts():
    return (Series.objects.count(), Event.objects.count(), Registration.objects.count(), User.objects.count(),
            Company.objects.count())


def test_demo_programme_is_complete_and_idempotent(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    first = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == first
    series = Series.objects.get()
    assert series.actions.count() == 10
    assert list(series.actions.values_list("title", flat=True)[:1]) == ["“博聚英才”博士后招引集聚行动"]
    fairs = Event.objects.filter(kind__in=["fair", "roadshow"], action__number=1)
    assert fairs.count() >= 10
    assert {"北京", "上海", "西安"} <= set(fairs.values_list("city", flat=True))
    assert fairs.filter(title__contains="蓝洽会").exists() and fairs.filter(title__contains="百所高校千名博士").exists()
    assert Event.objects.filter(kind="matchmaking", action__number=6).count() == 4
    assert Event.objects.filter(kind="forum").exists() and Event.objects.filter(kind="training").exists()
    assert Event.objects.filter(kind="competition", title__contains="人才招引赛").exists()
    assert Registration.objects.filter(status="waitlisted").exists()
    for code in Company.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert Company.objects.filter(status="verified").count() >= 5
    head = User.objects.get(email="organizer@boju.local")
    assert head.has_perm("events.manage_all_events") and head.is_staff
    assert "organizer@boju.local" in out.getvalue() and "boju-demo-2025" in out.getvalue()
    assert client.login(email="candidate1@boju.local", password="boju-demo-2025")
