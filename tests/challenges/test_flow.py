"""The whole flow on the services, from posting to an accepted project, and its rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEntry, Degree
from challenges.errors import ChallengeError
from challenges.models import Application, Challenge, ConfidentialityAcceptance
from challenges.services import (
    application_create,
    application_invite_present,
    application_member_invite,
    application_select,
    application_shortlist,
    application_update,
    application_withdraw,
    attachment_add,
    challenge_close,
    challenge_create,
    challenge_publish,
    challenge_review,
    challenge_submit,
    challenge_update,
    nda_accept,
)
from notifications.models import Notification
from projects.errors import ProjectError
from projects.models import Project
from projects.services import project_status_set, team_invite_accept, team_member_ids

from ..factories import SeriesFactory, candidate
from .factories import (
    application,
    application_data,
    challenge_data,
    company_with_member,
    head_office,
    link,
    pdf,
    postdoc,
    published_challenge,
    team_of,
)

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_whole_flow_posting_to_accepted_project(django_capture_on_commit_callbacks):
    series = SeriesFactory()
    company, boss = company_with_member()
    head = head_office()
    follower = postdoc()
    lead, friend = postdoc(), postdoc()
    rival_lead = postdoc()

    # posting, returned once with a reason, then approved and published
    challenge = challenge_create(company=company, series=series, actor=boss, data=challenge_data(winners_max=1))
    assert challenge.status == Challenge.Status.DRAFT
    assert " 海洋 " in challenge.search_text and " 涂层 " in challenge.search_text
    attachment_add(challenge=challenge, actor=boss, upload=pdf("规格书.pdf"))
    challenge_submit(challenge=challenge, actor=boss)
    assert kinds_for(head) == ["challenge.submitted"]
    challenge_review(challenge=challenge, actor=head, approve=False, reason="请补充验收指标")
    challenge.refresh_from_db()
    assert (challenge.status, challenge.review_note) == (Challenge.Status.RETURNED, "请补充验收指标")
    assert AuditEntry.objects.get(action="challenge.return").data == {"reason": "请补充验收指标"}
    challenge_update(
        challenge=challenge, actor=boss, data=challenge_data(acceptance="盐雾 3000 小时无起泡，附检测报告")
    )
    challenge_submit(challenge=challenge, actor=boss)
    challenge_review(challenge=challenge, actor=head, approve=True)
    other = published_challenge(company, series=series, title="另一项海洋难题")
    from challenges.services import follow_toggle

    follow_toggle(challenge=other, user=follower)
    challenge_publish(challenge=challenge, actor=head)
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.PUBLISHED
    assert kinds_for(boss) == ["challenge.returned", "challenge.approved", "challenge.published"]
    assert kinds_for(follower) == ["challenge.new"]

    # applying as a team: the lead applies, invites a friend by e-mail, the friend accepts
    with django_capture_on_commit_callbacks(execute=True):
        ours = application_create(
            challenge=challenge, actor=lead, data=application_data(), team_name="氢海材料", upload=pdf()
        )
        invitation = application_member_invite(application=ours, actor=lead, email=friend.email, accept_url=link)
    assert any(invitation.token in m.body for m in mail.outbox)
    team_invite_accept(token=invitation.token, user=friend)
    assert sorted(team_member_ids(ours.team)) == sorted([lead.pk, friend.pk])
    theirs = application_create(challenge=challenge, actor=rival_lead, data=application_data(price_wan="60"))
    assert theirs.solo is True
    assert kinds_for(boss)[-2:] == ["challenge.application", "challenge.application"]
    application_update(application=ours, actor=lead, data=application_data(price_wan="110"))

    # selecting: shortlist, invite to present, select (a project), the other told politely
    application_shortlist(application=ours, actor=boss)
    application_invite_present(
        application=ours, actor=boss, at=timezone.now() + timedelta(days=3), place="青岛国际院士港 3 号会议室"
    )
    assert kinds_for(friend)[-2:] == ["challenge.shortlisted", "challenge.invited"]
    ours.refresh_from_db()
    application_select(application=ours, actor=boss, signed_on=timezone.localdate(), amount_wan="105")
    ours.refresh_from_db()
    theirs.refresh_from_db()
    challenge.refresh_from_db()
    assert ours.status == Application.Status.SELECTED
    assert theirs.status == Application.Status.NOT_SELECTED
    assert challenge.status == Challenge.Status.CLOSED and challenge.winners_count == 1
    project = ours.project
    assert (project.source, project.company, project.team, project.amount_wan) == (
        "challenge",
        company,
        ours.team,
        Decimal("105.00"),
    )
    assert "challenge.selected" in kinds_for(friend)
    assert kinds_for(rival_lead)[-1] == "challenge.not_selected"
    polite = Notification.objects.get(user=rival_lead, kind="challenge.not_selected")
    assert "感谢" in polite.body and "期待" in polite.body

    # the project: the team and the company move it to accepted
    project_status_set(project=project, actor=lead, status="in_progress")
    project_status_set(project=project, actor=friend, status="delivered")
    project_status_set(project=project, actor=boss, status="accepted")
    assert Project.objects.get(pk=project.pk).status == "accepted"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "challenge.create",
        "challenge.submit",
        "challenge.return",
        "challenge.approve",
        "challenge.publish",
        "challenge.apply",
        "challenge.shortlist",
        "challenge.invite_present",
        "challenge.select",
        "challenge.close",
        "project.create",
    } <= actions


def test_challenge_create_unverified_company_refused():
    company, boss = company_with_member(verified=False)
    with pytest.raises(ChallengeError) as error:
        challenge_create(company=company, series=SeriesFactory(), actor=boss, data=challenge_data())
    assert error.value.code == "not_verified"


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("budget_min_wan", "-1", "budget_invalid"),
        ("budget_max_wan", "abc", "budget_invalid"),
        ("budget_max_wan", "1e9", "budget_invalid"),
        ("budget_min_wan", "200", "budget_invalid"),
        ("budget_max_wan", "NaN", "budget_invalid"),
        ("winners_max", 0, "winners_invalid"),
        ("winners_max", 21, "winners_invalid"),
        ("winners_max", "x", "winners_invalid"),
    ],
)
def test_challenge_create_bad_values_refused(field, value, code):
    company, boss = company_with_member()
    with pytest.raises(ChallengeError) as error:
        challenge_create(company=company, series=SeriesFactory(), actor=boss, data=challenge_data(**{field: value}))
    assert error.value.code == code


@pytest.mark.parametrize("delta", [timedelta(hours=2), timedelta(days=-1), timedelta(days=400)])
def test_challenge_create_deadline_out_of_range_refused(delta):
    company, boss = company_with_member()
    with pytest.raises(ChallengeError) as error:
        challenge_create(
            company=company, series=SeriesFactory(), actor=boss, data=challenge_data(deadline=timezone.now() + delta)
        )
    assert error.value.code == "deadline_invalid"


def test_challenge_review_return_without_reason_refused_and_other_company_cannot_submit():
    company, boss = company_with_member()
    _, stranger = company_with_member()
    challenge = challenge_create(company=company, series=SeriesFactory(), actor=boss, data=challenge_data())
    with pytest.raises(ChallengeError) as error:
        challenge_submit(challenge=challenge, actor=stranger)
    assert error.value.code == "forbidden"
    challenge_submit(challenge=challenge, actor=boss)
    with pytest.raises(ChallengeError) as error:
        challenge_review(challenge=challenge, actor=head_office(), approve=False, reason="  ")
    assert error.value.code == "reason_required"
    with pytest.raises(ChallengeError) as error:
        challenge_review(challenge=challenge, actor=boss, approve=True)
    assert error.value.code == "forbidden"


def test_application_after_deadline_refused():
    challenge = published_challenge()
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ChallengeError) as error:
        application_create(challenge=challenge, actor=postdoc(), data=application_data())
    assert error.value.code == "deadline_passed"


def test_application_edit_after_deadline_refused_and_withdraw_allowed():
    challenge = published_challenge()
    lead = postdoc()
    mine = application_create(challenge=challenge, actor=lead, data=application_data())
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ChallengeError) as error:
        application_update(application=mine, actor=lead, data=application_data(price_wan="1"))
    assert error.value.code == "deadline_passed"
    with pytest.raises(ChallengeError) as error:
        application_member_invite(application=mine, actor=lead, email="x@example.cn", accept_url=link)
    assert error.value.code == "deadline_passed"
    application_withdraw(application=mine, actor=lead)
    assert Application.objects.get(pk=mine.pk).status == Application.Status.WITHDRAWN


def test_team_invitation_sent_before_the_deadline_cannot_be_accepted_after_it():
    # The invitation page lives in projects/, which knows nothing of challenges: the guard that
    # challenges registers with projects closes the team once its application's deadline passed.
    challenge = published_challenge()
    lead, friend = postdoc(), postdoc()
    mine = application_create(challenge=challenge, actor=lead, data=application_data(), team_name="氢能团队")
    invitation = application_member_invite(application=mine, actor=lead, email=friend.email, accept_url=link)
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ProjectError) as error:
        team_invite_accept(token=invitation.token, user=friend)
    assert error.value.code == "team_closed"
    assert team_member_ids(mine.team) == [lead.pk]


def test_application_twice_by_same_team_refused_by_service_and_constraint():
    from django.db import IntegrityError, transaction

    challenge = published_challenge()
    lead = postdoc()
    team = team_of(lead)
    application_create(challenge=challenge, actor=lead, data=application_data(), team=team)
    with pytest.raises(ChallengeError) as error:
        application_create(challenge=challenge, actor=lead, data=application_data(), team=team)
    assert error.value.code == "duplicate"
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            challenge=challenge, team=team, proposal="p", approach="a", timeline="t", price_wan=1
        )
    assert Application.objects.filter(challenge=challenge).count() == 1


def test_application_member_on_two_teams_refused():
    challenge = published_challenge()
    a, b, both = postdoc(), postdoc(), postdoc()
    application_create(challenge=challenge, actor=a, data=application_data(), team=team_of(a, both, name="甲"))
    with pytest.raises(ChallengeError) as error:
        application_create(challenge=challenge, actor=b, data=application_data(), team=team_of(b, both, name="乙"))
    assert error.value.code == "member_elsewhere"


@pytest.mark.parametrize("fields", [{"degree": Degree.PHD_CANDIDATE}, {"degree": Degree.MASTER}])
def test_application_by_non_phd_refused(fields):
    with pytest.raises(ChallengeError) as error:
        application_create(challenge=published_challenge(), actor=candidate(**fields), data=application_data())
    assert error.value.code == "not_candidate"


def test_application_bad_pdf_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("方案.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ChallengeError) as error:
        application_create(challenge=published_challenge(), actor=postdoc(), data=application_data(), upload=fake)
    assert error.value.code == "bad_file"
    assert Application.objects.count() == 0


def test_application_select_beyond_winners_refused():
    company, boss = company_with_member()
    challenge = published_challenge(company, winners_max=2)
    apps = [application(challenge, status=Application.Status.SHORTLISTED) for _ in range(3)]
    application_select(application=apps[0], actor=boss, signed_on=timezone.localdate(), amount_wan="10")
    application_select(application=apps[1], actor=boss, signed_on=timezone.localdate(), amount_wan="10")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CLOSED
    with pytest.raises(ChallengeError) as error:
        application_select(application=apps[2], actor=boss, signed_on=timezone.localdate(), amount_wan="10")
    assert error.value.code in {"not_published", "not_shortlisted", "winners_full"}
    assert Application.objects.filter(challenge=challenge, status="selected").count() == 2
    assert Application.objects.get(pk=apps[2].pk).status == Application.Status.NOT_SELECTED


def test_application_select_unshortlisted_refused_and_other_company_forbidden():
    company, boss = company_with_member()
    _, stranger = company_with_member()
    challenge = published_challenge(company)
    app = application(challenge)
    with pytest.raises(ChallengeError) as error:
        application_select(application=app, actor=boss, signed_on=timezone.localdate(), amount_wan="10")
    assert error.value.code == "not_shortlisted"
    with pytest.raises(ChallengeError) as error:
        application_shortlist(application=app, actor=stranger)
    assert error.value.code == "forbidden"


def test_challenge_close_tells_waiting_applicants():
    company, boss = company_with_member()
    challenge = published_challenge(company, winners_max=3)
    waiting = [application(challenge), application(challenge, status=Application.Status.SHORTLISTED)]
    withdrawn = application(challenge, status=Application.Status.WITHDRAWN)
    challenge_close(challenge=challenge, actor=boss)
    assert [Application.objects.get(pk=a.pk).status for a in waiting] == ["not_selected", "not_selected"]
    assert Application.objects.get(pk=withdrawn.pk).status == "withdrawn"
    assert Notification.objects.filter(kind="challenge.not_selected").count() == 2


def test_nda_accept_recorded_once():
    challenge = published_challenge(details_confidential=True)
    user = postdoc()
    nda_accept(challenge=challenge, user=user)
    nda_accept(challenge=challenge, user=user)
    acceptance = ConfidentialityAcceptance.objects.get(challenge=challenge, user=user)
    assert "保密" in acceptance.statement
    assert AuditEntry.objects.filter(action="challenge.nda_accept").count() == 1


def test_deadline_reminder_goes_to_followers_who_have_not_applied():
    from challenges.services import follow_toggle
    from notifications.reminders import reminders_run

    challenge = published_challenge()
    Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() + timedelta(hours=20))
    waiting, applied = postdoc(), postdoc()
    follow_toggle(challenge=challenge, user=waiting)
    follow_toggle(challenge=challenge, user=applied)
    application(challenge, lead=applied)
    assert reminders_run() == 1
    assert reminders_run() == 0
    assert list(Notification.objects.filter(kind="challenge.deadline").values_list("user_id", flat=True)) == [
        waiting.pk
    ]
