"""Teams and projects: invitations by e-mail, the project's life, who may see and change it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.services import account_delete
from projects.errors import ProjectError
from projects.models import Mentor, MentorSession, Project, TeamMember
from projects.services import (
    amount_parse,
    mentor_assign,
    mentor_session_log,
    milestone_add,
    project_create,
    project_status_set,
    team_create,
    team_invite,
    team_invite_accept,
    team_member_ids,
)
from projects.signals import project_changed
from tests.factories import CompanyFactory, SeriesFactory, UserFactory, candidate, company_member, organizer

pytestmark = pytest.mark.django_db


def link(token):
    return f"http://testserver/teams/invitation/{token}/"


def a_team(lead=None, *, members=()):
    lead = lead or candidate()
    team = team_create(lead=lead, name="海洋材料团队")
    for member in members:
        invitation = team_invite(team=team, actor=lead, email=member.email, accept_url=link)
        team_invite_accept(token=invitation.token, user=member)
    return team


def a_project(*, team=None, company=None, series=None, actor=None):
    return project_create(
        series=series or SeriesFactory(),
        title="深远海养殖网箱防腐涂层",
        source="challenge",
        signed_on=timezone.localdate(),
        actor=actor or organizer(manages_all=True),
        company=company,
        team=team,
        amount_wan="120.5",
    )


def test_team_invite_sends_mail_and_accept_joins(django_capture_on_commit_callbacks):
    lead, friend = candidate(), candidate()
    team = team_create(lead=lead, name="氢能团队")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = team_invite(team=team, actor=lead, email=friend.email.upper(), accept_url=link)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [friend.email]
    assert invitation.token in mail.outbox[0].body
    team_invite_accept(token=invitation.token, user=friend)
    assert sorted(team_member_ids(team)) == sorted([lead.pk, friend.pk])
    invitation.refresh_from_db()
    assert (invitation.status, invitation.token) == (TeamMember.Status.ACCEPTED, None)


def test_team_invite_accept_wrong_user_refused():
    lead, friend, stranger = candidate(), candidate(), candidate()
    team = team_create(lead=lead, name="团队")
    invitation = team_invite(team=team, actor=lead, email=friend.email, accept_url=link)
    with pytest.raises(ProjectError) as error:
        team_invite_accept(token=invitation.token, user=stranger)
    assert error.value.code == "wrong_user"
    assert team_member_ids(team) == [lead.pk]


def test_team_invite_twice_and_by_non_lead_refused():
    lead, friend = candidate(), candidate()
    team = team_create(lead=lead, name="团队")
    team_invite(team=team, actor=lead, email=friend.email, accept_url=link)
    with pytest.raises(ProjectError) as error:
        team_invite(team=team, actor=lead, email=friend.email, accept_url=link)
    assert error.value.code == "already_member"
    with pytest.raises(ProjectError) as error:
        team_invite(team=team, actor=friend, email="x@example.com", accept_url=link)
    assert error.value.code == "forbidden"


def test_team_invitation_expired_refused():
    lead, friend = candidate(), candidate()
    team = team_create(lead=lead, name="团队")
    invitation = team_invite(team=team, actor=lead, email=friend.email, accept_url=link)
    TeamMember.objects.filter(pk=invitation.pk).update(invited_at=timezone.now() - timedelta(days=15))
    with pytest.raises(ProjectError) as error:
        team_invite_accept(token=invitation.token, user=friend)
    assert error.value.code == "expired"


def test_team_invitation_page_accepts(client):
    lead, friend = candidate(), candidate()
    team = team_create(lead=lead, name="团队")
    invitation = team_invite(team=team, actor=lead, email=friend.email, accept_url=link)
    client.force_login(friend)
    url = reverse("projects:invitation", args=[invitation.token])
    assert "团队" in client.get(url).content.decode()
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert friend.pk in team_member_ids(team)
    assert client.get(url).status_code == 404  # used once


def test_project_create_counts_and_announces_on_commit(django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, **kwargs):
        seen.append(kwargs)

    project_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            project = a_project(team=a_team())
    finally:
        project_changed.disconnect(listener)
    assert project.amount_wan == Decimal("120.50")
    assert seen == [
        {
            "signal": project_changed,
            "project_id": project.pk,
            "series_id": project.series_id,
            "status": "signed",
            "created": True,
        }
    ]
    assert AuditEntry.objects.filter(action="project.create", target_id=str(project.pk)).count() == 1


@pytest.mark.parametrize("value", ["-1", "abc", "1e9", "NaN", "100000.01"])
def test_amount_parse_bad_values_refused(value):
    with pytest.raises(ProjectError) as error:
        amount_parse(value)
    assert error.value.code == "amount_invalid"


def test_project_create_future_date_refused():
    with pytest.raises(ProjectError) as error:
        project_create(
            series=SeriesFactory(),
            title="x",
            source="manual",
            actor=organizer(manages_all=True),
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    assert error.value.code == "date_invalid"


def test_project_status_follows_transitions():
    member = candidate()
    project = a_project(team=a_team(member))
    project_status_set(project=project, actor=member, status="in_progress")
    project_status_set(project=project, actor=member, status="delivered")
    with pytest.raises(ProjectError) as error:
        project_status_set(project=project, actor=member, status="signed")
    assert error.value.code == "transition"
    project_status_set(project=project, actor=member, status="accepted")
    project.refresh_from_db()
    assert project.status == Project.Status.ACCEPTED


def test_project_status_by_outsider_refused():
    project = a_project(team=a_team(), company=CompanyFactory())
    for outsider in (candidate(), company_member(CompanyFactory()), organizer()):
        with pytest.raises(ProjectError) as error:
            project_status_set(project=project, actor=outsider, status="in_progress")
        assert error.value.code == "forbidden"
    project.refresh_from_db()
    assert project.status == Project.Status.SIGNED


def test_project_page_only_for_team_company_and_organizers(client):
    lead = candidate()
    company = CompanyFactory()
    staff = company_member(company)
    project = a_project(team=a_team(lead), company=company)
    url = project.get_absolute_url()
    for allowed in (lead, staff, organizer(manages_all=True)):
        client.force_login(allowed)
        assert project.title in client.get(url).content.decode()
    for outsider in (candidate(), company_member(CompanyFactory()), organizer()):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "status", "status": "in_progress"}).status_code == 404
    project.refresh_from_db()
    assert project.status == Project.Status.SIGNED


def test_project_page_bad_input_is_4xx(client):
    lead = candidate()
    project = a_project(team=a_team(lead))
    client.force_login(lead)
    url = project.get_absolute_url()
    assert client.post(url, {"action": "milestone_add", "title": "样机", "due_on": "2026-13-40"}).status_code == 400
    assert client.post(url, {"action": "milestone_done", "milestone": "²"}).status_code == 404
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    assert client.post(url, {"action": "milestone_add", "title": "样机", "due_on": "2027-03-01"}).status_code == 302
    assert list(project.milestones.values_list("title", "due_on")) == [("样机", date(2027, 3, 1))]


def test_mentor_logs_only_own_projects():
    head = organizer(manages_all=True)
    project = a_project(team=a_team())
    mentor_user = UserFactory()
    mentor = Mentor.objects.create(user=mentor_user, name="王导师", organisation="青岛科技大学", expertise="technology")
    with pytest.raises(ProjectError):
        mentor_session_log(project=project, actor=mentor_user, held_on=timezone.localdate(), minutes=60, note="x")
    with pytest.raises(ProjectError) as error:
        mentor_assign(project=project, actor=organizer(), mentor=mentor)
    assert error.value.code == "forbidden"
    mentor_assign(project=project, actor=head, mentor=mentor)
    mentor_session_log(
        project=project, actor=mentor_user, held_on=timezone.localdate(), minutes=60, note="商业计划书第二版"
    )
    assert MentorSession.objects.get(project=project).note == "商业计划书第二版"


def test_account_delete_erases_pending_invitation_and_keeps_project():
    lead, invitee = candidate(), candidate()
    team = a_team(lead)
    team_invite(team=team, actor=lead, email=invitee.email, accept_url=link)
    project = a_project(team=team)
    milestone_add(project=project, actor=lead, title="中试", due_on=timezone.localdate())
    email = invitee.email
    account_delete(user=invitee)
    assert not TeamMember.objects.filter(email__iexact=email).exists()
    account_delete(user=lead)
    project.refresh_from_db()
    assert project.team_id is None  # the team went with its lead; the signed project still counts
