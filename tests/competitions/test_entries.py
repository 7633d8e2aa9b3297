"""Entries: who may enter, the fields' checks, edits until the deadline, one entry per team and
per lead (with a PostgreSQL race and its negative control)."""

import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from competitions.errors import CompetitionError
from competitions.models import Entry
from competitions.services import entry_submit, patents_parse
from notifications.models import Notification
from projects.services import team_create, team_invite, team_invite_accept
from tests.factories import candidate, company_member, credit_code

from .factories import a_competition

pytestmark = pytest.mark.django_db

DATA = {
    "title": "海洋牧场智能巡检机器人",
    "track": "海洋经济",
    "stage": "idea",
    "organisation": "中国海洋大学",
    "summary": "水下机器人巡检网箱。",
    "patents": "ZL202310123456.7\nCN116123456A",
    "funding_wan": "300",
    "video_url": "https://video.example.cn/demo",
}


def test_entry_submit_alone_makes_team_of_one_and_notifies():
    competition, lead = a_competition(), candidate()
    entry = entry_submit(competition=competition, actor=lead, data=DATA)
    assert (entry.team.lead_id, entry.team.name, entry.lead_id) == (lead.pk, DATA["title"], lead.pk)
    assert entry.patents == ["ZL202310123456.7", "CN116123456A"]
    assert entry.funding_wan == Decimal("300.00")
    assert Notification.objects.filter(user=lead, kind="competition.entry_received").count() == 1
    assert AuditEntry.objects.filter(action="competition.entry_submit", target_id=str(entry.pk)).count() == 1


def test_entry_submit_with_team_requires_lead():
    competition, lead, friend = a_competition(), candidate(), candidate()
    team = team_create(lead=lead, name="海洋团队")
    invitation = team_invite(team=team, actor=lead, email=friend.email, accept_url=lambda t: t)
    team_invite_accept(token=invitation.token, user=friend)
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=competition, actor=friend, data=DATA, team=team)
    assert error.value.code == "not_lead"
    entry = entry_submit(competition=competition, actor=lead, data=DATA, team=team)
    assert entry.team_id == team.pk
    assert set(Notification.objects.filter(kind="competition.entry_received").values_list("user_id", flat=True)) == {
        lead.pk,
        friend.pk,
    }


def test_entry_submit_company_member_refused():
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=a_competition(), actor=company_member(), data=DATA)
    assert error.value.code == "not_candidate"


def test_entry_submit_company_stage_checks_credit_code():
    competition, lead = a_competition(), candidate()
    bad = {**DATA, "stage": "company", "company_name": "青岛海巡科技有限公司", "credit_code": "91370200MA3C12345X"}
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=competition, actor=lead, data=bad)
    assert error.value.code == "credit_code"
    good = {**bad, "credit_code": credit_code().lower()}
    entry = entry_submit(competition=competition, actor=lead, data=good)
    assert entry.credit_code == good["credit_code"].upper()


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("track", "火星经济", "track"),
        ("patents", "12345", "patent"),
        ("funding_wan", "-5", "invalid"),
        ("video_url", "javascript:alert(1)", "invalid"),
        ("title", "  ", "invalid"),
        ("stage", "moon", "invalid"),
    ],
)
def test_entry_submit_bad_field_refused(field, value, code):
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=a_competition(), actor=candidate(), data={**DATA, field: value})
    assert error.value.code == code
    assert Entry.objects.count() == 0


def test_patents_parse_splits_and_dedupes():
    assert patents_parse("zl202310123456.7，ZL202310123456.7; CN116123456A") == ["ZL202310123456.7", "CN116123456A"]


def test_entry_business_plan_must_be_pdf():
    competition, lead = a_competition(), candidate()
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=competition, actor=lead, data=DATA, business_plan=fake)
    assert error.value.code == "invalid"
    real = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    entry = entry_submit(competition=competition, actor=lead, data=DATA, business_plan=real)
    assert entry.business_plan.name.endswith(".pdf")


def test_entry_edit_until_deadline_then_closed():
    competition, lead = a_competition(), candidate()
    entry = entry_submit(competition=competition, actor=lead, data=DATA)
    entry_submit(competition=competition, actor=lead, data={**DATA, "title": "新名称"}, entry=entry)
    entry.refresh_from_db()
    assert entry.title == "新名称"
    with pytest.raises(CompetitionError) as error:
        entry_submit(
            competition=competition,
            actor=lead,
            data=DATA,
            entry=entry,
            now=competition.entry_deadline + timedelta(seconds=1),
        )
    assert error.value.code == "closed"
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=competition, actor=lead, data=DATA, entry=entry, now=competition.entry_deadline)
    assert error.value.code == "closed"  # the deadline itself is already too late


def test_team_of_an_entry_closes_at_the_entry_deadline():
    # The invitation page is projects'; the guard competitions registers with it keeps the team
    # that entered once the deadline has passed.
    from competitions.models import Competition
    from projects.errors import ProjectError
    from projects.services import team_member_ids

    competition, lead, friend = a_competition(), candidate(), candidate()
    team = team_create(lead=lead, name="深海团队")
    entry_submit(competition=competition, actor=lead, data=DATA, team=team)
    invitation = team_invite(team=team, actor=lead, email=friend.email, accept_url=lambda t: t)
    Competition.objects.filter(pk=competition.pk).update(entry_deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ProjectError) as error:
        team_invite_accept(token=invitation.token, user=friend)
    assert error.value.code == "team_closed"
    assert team_member_ids(team) == [lead.pk]


def test_entry_edit_by_other_member_refused():
    competition, lead, other = a_competition(), candidate(), candidate()
    entry = entry_submit(competition=competition, actor=lead, data=DATA)
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=competition, actor=other, data=DATA, entry=entry)
    assert error.value.code == "not_lead"


def test_entry_before_opening_refused():
    competition = a_competition(
        entries_open_at=timezone.now() + timedelta(days=1), entry_deadline=timezone.now() + timedelta(days=2)
    )
    with pytest.raises(CompetitionError) as error:
        entry_submit(competition=competition, actor=candidate(), data=DATA)
    assert error.value.code == "not_open"


def test_entry_second_by_same_lead_or_team_refused():
    competition, lead = a_competition(), candidate()
    team = team_create(lead=lead, name="团队")
    entry_submit(competition=competition, actor=lead, data=DATA, team=team)
    for kwargs in ({}, {"team": team}):
        with pytest.raises(CompetitionError) as error:
            entry_submit(competition=competition, actor=lead, data=DATA, **kwargs)
        assert error.value.code == "duplicate"
    assert Entry.objects.count() == 1


def test_entry_form_view_creates_and_redirects(client):
    competition, lead = a_competition(), candidate()
    client.force_login(lead)
    response = client.post(reverse("competitions:enter", args=[competition.pk]), DATA)
    entry = Entry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    response = client.post(reverse("competitions:enter", args=[competition.pk]), {**DATA, "track": "x"})
    assert response.status_code == 400
    assert "请选择本次大赛的赛道" in response.content.decode()


def _race(competition, lead, team, *, rounds=1):
    barrier = threading.Barrier(2)
    outcomes = []

    def go():
        try:
            barrier.wait()
            entry_submit(competition=competition, actor=lead, data=DATA, team=team)
            outcomes.append("ok")
        except CompetitionError as error:
            outcomes.append(error.code)
        except IntegrityError:
            outcomes.append("integrity")
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def _slow_exists(original):
    """Widen the window between the duplicate check and the insert, so the race is certain."""

    def exists(self):
        result = original(self)
        import time

        time.sleep(0.3)
        return result

    return exists


def test_entry_race_one_per_team_holds(postgres):
    competition, lead = a_competition(), candidate()
    team = team_create(lead=lead, name="团队")
    from django.db.models import QuerySet

    with mock.patch.object(QuerySet, "exists", _slow_exists(QuerySet.exists)):
        outcomes = _race(competition, lead, team)
    assert outcomes == ["duplicate", "ok"]
    assert Entry.objects.filter(competition=competition).count() == 1


def test_entry_race_without_lock_goes_wrong(postgres):
    """Negative control: with the competition lock patched out, both requests pass the check and
    the loser reaches the database constraint (an IntegrityError, a 500 for that user)."""
    competition, lead = a_competition(), candidate()
    team = team_create(lead=lead, name="团队")
    from django.db.models import QuerySet

    # Both requests run the duplicate check before either inserts (a barrier, not a 0.3 s pause
    # that depended on the machine's load). Only the check on entries waits; with the lock (the
    # test above) the second request could not reach it before the first commits.
    exists, both_checked = QuerySet.exists, threading.Barrier(2, timeout=30)

    def exists_then_wait(self):
        found = exists(self)
        if self.model is Entry:
            both_checked.wait()
        return found

    with (
        mock.patch("competitions.services.entries._lock", lambda c: c),
        mock.patch.object(QuerySet, "exists", exists_then_wait),
    ):
        outcomes = _race(competition, lead, team)
    assert outcomes == ["integrity", "ok"]
    assert Entry.objects.filter(competition=competition).count() == 1  # the constraint is the backstop


def test_entry_page_lead_invites_member_who_accepts(client, django_capture_on_commit_callbacks):
    from django.core import mail

    competition, lead, friend = a_competition(), candidate(), candidate()
    entry = entry_submit(competition=competition, actor=lead, data=DATA)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("competitions:entry", args=[entry.pk]), {"email": friend.email})
    assert response.status_code == 302
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/teams/invitation/" in line)
    client.force_login(friend)
    client.post(link.replace("http://testserver", ""), {"answer": "accept"})
    assert client.get(reverse("competitions:entry", args=[entry.pk])).status_code == 200  # now on the team
    # A member who is not the lead cannot invite; after the deadline nobody can.
    assert client.post(reverse("competitions:entry", args=[entry.pk]), {"email": "x@example.cn"}).status_code == 404
    competition.entry_deadline = timezone.now()
    competition.save()
    client.force_login(lead)
    client.post(reverse("competitions:entry", args=[entry.pk]), {"email": "late@example.cn"})
    assert not entry.team.members.filter(email="late@example.cn").exists()
