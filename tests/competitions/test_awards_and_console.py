"""Awards and their consequences on people, entries becoming projects with mentors, judge
invitations by e-mail, the organizer's console and the Excel exports."""

import io
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import PostdocStatus
from competitions.errors import CompetitionError
from competitions.models import Assignment, Competition, Honour, Judge, Result, Round
from competitions.services import award_grant, entry_to_project, judge_invite
from notifications.models import Notification
from projects.models import Mentor, MentorSession, Project
from projects.services import team_invite, team_invite_accept
from tests.factories import UserFactory, candidate

from .factories import a_competition, a_judge, a_round, an_entry, boss

pytestmark = pytest.mark.django_db


def finished(competition):
    return a_round(competition, status=Round.Status.PUBLISHED, kind=Round.Kind.LIVE)


def test_award_gold_records_plan_a_on_in_station_postdocs_and_makes_project(django_capture_on_commit_callbacks):
    competition, organizer = a_competition(), boss()
    lead = candidate(postdoc_status=PostdocStatus.IN_STATION)
    phd = candidate(postdoc_status=PostdocStatus.NONE)
    entry = an_entry(competition, lead=lead)
    invitation = team_invite(team=entry.team, actor=lead, email=phd.email, accept_url=str)
    team_invite_accept(token=invitation.token, user=phd)
    with pytest.raises(CompetitionError) as error:
        award_grant(entry=entry, actor=organizer, award="gold")
    assert error.value.code == "award_round"  # the final is not published yet
    finished(competition)
    with django_capture_on_commit_callbacks(execute=True):
        award_grant(entry=entry, actor=organizer, award="gold", position=True)
    honours = {h.user_id: (h.award, h.support_plan, h.position) for h in Honour.objects.filter(entry=entry)}
    assert honours == {lead.pk: ("gold", "A", True), phd.pk: ("gold", "", False)}
    entry.refresh_from_db()
    assert entry.project.source == Project.Source.COMPETITION and entry.project.team_id == entry.team_id
    assert Notification.objects.filter(kind="competition.awarded").count() == 2
    assert entry_to_project(entry=entry, actor=organizer).pk == entry.project_id  # once only
    assert Project.objects.count() == 1


def test_award_silver_plan_b_and_selection_source():
    competition = a_competition(kind=Competition.Kind.SELECTION)
    finished(competition)
    entry = an_entry(competition, lead=candidate(postdoc_status=PostdocStatus.IN_STATION))
    award_grant(entry=entry, actor=boss(), award="silver")
    assert Honour.objects.get(entry=entry).support_plan == "B"
    entry.refresh_from_db()
    assert entry.project.source == Project.Source.SELECTION


def test_award_positions_are_limited():
    competition = a_competition(positions_total=1)
    finished(competition)
    first, second = an_entry(competition), an_entry(competition)
    award_grant(entry=first, actor=boss(), award="bronze", position=True)
    with pytest.raises(CompetitionError) as error:
        award_grant(entry=second, actor=boss(), award="bronze", position=True)
    assert error.value.code == "positions_full"
    award_grant(entry=first, actor=boss(), award="silver", position=True)  # the same entry keeps its position


def test_award_by_candidate_refused():
    competition = a_competition()
    finished(competition)
    with pytest.raises(CompetitionError) as error:
        award_grant(entry=an_entry(competition), actor=candidate(), award="gold")
    assert error.value.code == "forbidden"


def test_console_award_mentor_and_mentor_logs_session(client):
    competition, organizer = a_competition(), boss()
    entry = an_entry(competition)
    finished(competition)
    mentor_user = UserFactory()
    mentor = Mentor.objects.create(user=mentor_user, name="赵导师", organisation="青岛市创投", expertise="finance")
    client.force_login(organizer)
    url = reverse("competitions:console", args=[competition.pk])
    assert client.post(url, {"form": "award", "entry": entry.pk, "award": "gold"}).status_code == 302
    assert client.post(url, {"form": "mentor", "entry": entry.pk, "mentor": mentor.pk}).status_code == 302
    entry.refresh_from_db()
    assert list(entry.project.mentorships.values_list("mentor_id", flat=True)) == [mentor.pk]
    client.force_login(mentor_user)
    page = client.get(reverse("competitions:mentoring")).content.decode()
    assert entry.title in page
    client.post(
        reverse("competitions:mentoring"),
        {"project": entry.project_id, "held_on": date.today().isoformat(), "minutes": "90", "note": "融资路演辅导"},
    )
    assert MentorSession.objects.get().minutes == 90


def test_judge_invite_email_accept_and_declare(client, django_capture_on_commit_callbacks):
    competition, organizer = a_competition(), boss()
    entry = an_entry(competition)
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("competitions:console", args=[competition.pk]),
            {"form": "judge", "name": "周教授", "email": "Zhou@Example.cn", "organisation": "山东大学"},
        )
    judge = Judge.objects.get()
    assert mail.outbox[-1].to == ["zhou@example.cn"] and judge.token in mail.outbox[-1].body
    with pytest.raises(CompetitionError) as error:
        judge_invite(competition=competition, actor=organizer, email="zhou@example.cn", name="周", accept_url=str)
    assert error.value.code == "already_judge"
    wrong = UserFactory()
    client.force_login(wrong)
    response = client.post(reverse("competitions:judge_invitation", args=[judge.token]), {"organisation": "山大"})
    assert response.status_code == 403
    right = UserFactory(email="zhou@example.cn")
    client.force_login(right)
    response = client.post(
        reverse("competitions:judge_invitation", args=[judge.token]),
        {"organisation": "山东大学", "entries": [str(entry.pk)], "coauthors": "李雷\n韩梅梅"},
    )
    assert response.status_code == 302
    judge.refresh_from_db()
    assert (judge.user_id, judge.status, judge.token) == (right.pk, Judge.Status.ACCEPTED, None)
    assert sorted(judge.conflicts.values_list("kind", flat=True)) == ["coauthor", "coauthor", "entry"]


def test_console_round_flow_and_exports(client):
    competition, organizer = a_competition(), boss()
    entries = [an_entry(competition, organisation=f"大学{i}") for i in range(3)]
    for i in range(3):
        a_judge(competition, organisation=f"研究院{i}")
    round_ = a_round(competition, k=2, advance_share="0.5")
    client.force_login(organizer)
    url = reverse("competitions:console_round", args=[round_.pk])
    for action in ("assign", "open"):
        assert client.post(url, {"action": action}).status_code == 302
    assert Assignment.objects.filter(round=round_).count() == 6
    criteria = list(round_.criteria.all())
    for a in Assignment.objects.filter(round=round_).select_related("judge"):
        client.force_login(a.judge.user)
        response = client.post(
            reverse("competitions:scorecard", args=[a.pk]),
            {f"c{c.pk}": str(5 + entries.index(a.entry)) for c in criteria},
        )
        assert response.status_code == 302
    client.force_login(organizer)
    for action in ("close", "compute"):
        client.post(url, {"action": action})
    assert list(Result.objects.filter(round=round_).order_by("rank").values_list("entry_id", "advances")) == [
        (entries[2].pk, True),
        (entries[1].pk, True),
        (entries[0].pk, False),
    ]  # ceil(0.5 × 3) = 2
    page = client.get(url).content.decode()
    assert entries[2].title in page
    for what, expected in (("assignment", "评审分配"), ("scores", "评分表"), ("ranking", "排名")):
        response = client.get(reverse("competitions:export_round", args=[round_.pk, what]))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.title == expected
    ranking = load_workbook(
        io.BytesIO(client.get(reverse("competitions:export_round", args=[round_.pk, "ranking"])).content)
    ).active
    assert [row[2] for row in ranking.iter_rows(min_row=2, values_only=True)] == [e.title for e in reversed(entries)]
    matrix = load_workbook(
        io.BytesIO(client.get(reverse("competitions:export_round", args=[round_.pk, "assignment"])).content)
    ).active
    assert next(matrix.iter_rows(min_row=matrix.max_row, values_only=True))[-1] == 6
    entries_sheet = load_workbook(
        io.BytesIO(client.get(reverse("competitions:export_entries", args=[competition.pk, "entries"])).content)
    ).active
    assert entries_sheet.max_row == 4


def test_console_settings_create_competition(client):
    from events.models import Event
    from tests.factories import EventFactory

    event = EventFactory(kind=Event.Kind.COMPETITION)
    client.force_login(boss())
    response = client.post(
        reverse("competitions:console", args=[event.pk]),
        {
            "form": "settings",
            "tracks": "人工智能\n海洋经济",
            "entries_open_at": "2025-05-01T09:00",
            "entry_deadline": "2025-06-30T17:00",
            "kind": "contest",
            "positions_total": "60",
        },
    )
    assert response.status_code == 302
    competition = Competition.objects.get(event=event)
    assert competition.tracks == ["人工智能", "海洋经济"]
    assert competition.entry_deadline.isoformat() == "2025-06-30T09:00:00+00:00"  # 17:00 in Shanghai


def test_account_delete_keeps_judge_scores_and_export_lists_entries(django_capture_on_commit_callbacks):
    from accounts.services import account_delete, personal_data_export
    from competitions.models import Scorecard

    competition = a_competition()
    entry = an_entry(competition, title="海洋牧场水下巡检机器人")
    judge = a_judge(competition, organisation="山东大学")
    round_ = a_round(competition)
    Scorecard.objects.create(
        assignment=Assignment.objects.create(round=round_, judge=judge, entry=entry), values={}, total=80
    )
    data = personal_data_export(user=entry.lead)
    assert data["competition_entries"][0]["title"] == "海洋牧场水下巡检机器人"
    assert personal_data_export(user=judge.user)["competition_judging"] == [
        {"competition": competition.event.title, "organisation": "山东大学"}
    ]
    account_delete(user=judge.user)
    judge.refresh_from_db()
    assert (judge.user_id, judge.email, judge.organisation) == (None, f"erased-{judge.pk}@invalid", "")
    assert Scorecard.objects.count() == 1


def test_account_delete_of_an_entrant_removes_the_entry_and_the_team():
    from accounts.services import account_delete
    from competitions.models import Entry
    from projects.models import Team

    entry = an_entry(a_competition(), title="深海传感器")
    team_id = entry.team_id
    account_delete(user=entry.lead)
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert not Team.objects.filter(pk=team_id).exists()


def test_selection_last_round_publication_makes_selected_entries_projects():
    from competitions.services import results_compute, results_publish, results_review

    competition, organizer = a_competition(kind=Competition.Kind.SELECTION), boss()
    chosen, other = an_entry(competition, title="入选项目"), an_entry(competition, title="未入选项目")
    round_ = a_round(competition, status=Round.Status.CLOSED, advance_count=1)
    judge = a_judge(competition)
    from competitions.models import Scorecard

    for entry, total in ((chosen, 90), (other, 60)):
        Scorecard.objects.create(
            assignment=Assignment.objects.create(round=round_, judge=judge, entry=entry), values={}, total=total
        )
    results_compute(round_=round_, actor=organizer)
    results_review(round_=round_, actor=organizer)
    results_publish(round_=round_, actor=organizer)
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert chosen.project.source == Project.Source.SELECTION and other.project_id is None


def test_console_round_duplicate_number_refused_not_500(client):
    competition = a_competition()
    a_round(competition, number=1)
    client.force_login(boss())
    response = client.post(
        reverse("competitions:console", args=[competition.pk]),
        {"form": "round", "number": "1", "name": "复赛", "kind": "roadshow"},
        follow=True,
    )
    assert response.status_code == 200
    assert "轮次序号已存在" in response.content.decode()
    assert competition.rounds.count() == 1
