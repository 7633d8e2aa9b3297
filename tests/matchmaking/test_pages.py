"""The pages: each renders what its viewer may see, and nobody sees another's meetings (IDOR)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from matchmaking.models import Interest, Meeting
from matchmaking.services import meeting_answer, meeting_request

from ..factories import candidate, company_member, organizer
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    setup = matchmaking_event(slots=3)
    company, rep = company_at(setup, tables=2)
    person = confirmed_candidate(setup, full_name="林晓")
    meeting = meeting_request(
        slot=slots_of(setup)[0],
        company_id=company.pk,
        candidate=person,
        actor=person,
        side="candidate",
        note="海洋遥感",
    )
    return setup, company, rep, person, meeting


def test_mine_page_lists_own_meeting(client, world):
    setup, company, rep, person, meeting = world
    client.force_login(person)
    page = client.get(reverse("matchmaking:mine", args=[setup.pk]))
    assert page.status_code == 200
    assert f'data-meeting="{meeting.pk}"' in page.content.decode() and company.name in page.content.decode()


def test_mine_page_for_unregistered_candidate_is_404(client, world):
    setup = world[0]
    client.force_login(candidate())
    assert client.get(reverse("matchmaking:mine", args=[setup.pk])).status_code == 404


def test_company_page_shows_request_and_accept_works(client, world):
    setup, company, rep, person, meeting = world
    client.force_login(rep)
    page = client.get(reverse("matchmaking:company", args=[setup.pk]))
    assert page.status_code == 200 and f'data-accept="{meeting.pk}"' in page.content.decode()
    response = client.post(reverse("matchmaking:answer", args=[meeting.pk]), {"accept": "1"})
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == "accepted"


def test_company_page_of_another_company_is_404(client, world):
    setup = world[0]
    client.force_login(company_member())
    assert client.get(reverse("matchmaking:company", args=[setup.pk])).status_code == 404


def test_answer_of_someone_elses_meeting_is_404(client, world):
    setup, company, rep, person, meeting = world
    for stranger in (candidate(), company_member(), confirmed_candidate(setup)):
        client.force_login(stranger)
        assert client.post(reverse("matchmaking:answer", args=[meeting.pk]), {"accept": "1"}).status_code == 404
        assert client.post(reverse("matchmaking:cancel", args=[meeting.pk])).status_code == 404
        assert client.post(reverse("matchmaking:mark", args=[meeting.pk]), {"held": "1"}).status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).status == "requested"


def test_snapshot_shows_only_own_meetings(client, world):
    setup, company, rep, person, meeting = world
    other = confirmed_candidate(setup)
    client.force_login(other)
    data = client.get(reverse("matchmaking:mine_snapshot", args=[setup.pk])).json()
    assert f'data-meeting="{meeting.pk}"' not in data["html"] and 'data-count="0"' in data["html"]


def test_company_sees_only_consenting_candidates_and_own_interests(client, world):
    setup, company, rep, person, meeting = world
    hidden = confirmed_candidate(setup, consent=False, full_name="隐藏的人")
    other_company, other_rep = company_at(setup)
    Interest.objects.create(
        event=setup.event, company=other_company, candidate=person, side="company", priority=1, note="别家的意向"
    )
    client.force_login(rep)
    page = client.get(reverse("matchmaking:company", args=[setup.pk])).content.decode()
    assert f'data-candidate="{person.pk}"' in page and f'data-candidate="{hidden.pk}"' not in page
    assert "别家的意向" not in page
    # Naming the hidden candidate by id is refused like a missing one.
    response = client.post(
        reverse("matchmaking:company_interest", args=[setup.pk]), {"candidate": hidden.pk, "priority": 1}
    )
    assert response.status_code == 404
    assert not Interest.objects.filter(candidate=hidden).exists()


def test_candidate_request_form_books_a_meeting(client, world):
    setup, company, rep, person, meeting = world
    other_company, _ = company_at(setup)
    client.force_login(person)
    response = client.post(
        reverse("matchmaking:request", args=[setup.pk]), {"company": other_company.pk, "slot": slots_of(setup)[1].pk}
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(candidate=person, company=other_company, status="requested").count() == 1


def test_candidate_request_with_bad_input_is_a_message_not_a_500(client, world):
    setup, company, rep, person, meeting = world
    client.force_login(person)
    for data in ({}, {"company": "x", "slot": "y"}, {"company": company.pk, "slot": 999999}):
        assert client.post(reverse("matchmaking:request", args=[setup.pk]), data).status_code == 302


def test_console_grid_export_and_sheet_for_the_organizer(client, world):
    setup, company, rep, person, meeting = world
    meeting_answer(meeting=meeting, actor=rep, accept=True)
    client.force_login(setup.boss)
    page = client.get(reverse("matchmaking:console", args=[setup.pk]))
    assert page.status_code == 200 and f'data-meeting="{meeting.pk}"' in page.content.decode()
    export = client.get(reverse("matchmaking:export", args=[setup.pk]))
    book = load_workbook(BytesIO(export.content))
    assert [row[2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)] == [company.name]
    sheet = client.get(reverse("matchmaking:sheet", args=[setup.pk, meeting.table_id]))
    assert "林晓" in sheet.content.decode()


def test_console_is_404_for_other_organizers_and_companies(client, world):
    setup, company, rep, person, meeting = world
    for user in (organizer(), rep, person):
        client.force_login(user)
        assert client.get(reverse("matchmaking:console", args=[setup.pk])).status_code == 404
        assert client.get(reverse("matchmaking:export", args=[setup.pk])).status_code == 404
        assert (
            client.post(
                reverse("matchmaking:move", args=[setup.pk, meeting.pk]),
                {"slot": slots_of(setup)[1].pk, "table": meeting.table_id},
            ).status_code
            == 404
        )


def test_console_move_by_json_answers_with_code(client, world):
    setup, company, rep, person, meeting = world
    client.force_login(setup.boss)
    url = reverse("matchmaking:move", args=[setup.pk, meeting.pk])
    ok = client.post(url, {"slot": slots_of(setup)[2].pk, "table": meeting.table_id}, HTTP_ACCEPT="application/json")
    assert ok.json()["ok"] is True
    other = confirmed_candidate(setup)
    second = meeting_request(
        slot=slots_of(setup)[1], company_id=company.pk, candidate=other, actor=other, side="candidate"
    )
    clash = client.post(
        reverse("matchmaking:move", args=[setup.pk, second.pk]),
        {"slot": slots_of(setup)[2].pk, "table": meeting.table_id},
        HTTP_ACCEPT="application/json",
    )
    assert clash.status_code == 409 and clash.json()["code"] == "table_taken"


def test_console_run_and_publish_books_meetings(client, world):
    setup, company, rep, person, meeting = world
    another = confirmed_candidate(setup)
    Interest.objects.create(event=setup.event, company=company, candidate=another, side="candidate", priority=1)
    client.force_login(setup.boss)
    client.post(reverse("matchmaking:run", args=[setup.pk]))
    run = setup.event.meeting_runs.get()
    assert run.status == "draft" and len(run.assignments) == 1
    client.post(reverse("matchmaking:publish", args=[setup.pk, run.pk]))
    assert Meeting.objects.filter(candidate=another, origin="scheduler", status="accepted").count() == 1
    run.refresh_from_db()
    assert run.status == "published"


def test_company_marks_held_by_typed_ticket_code_and_leaves_feedback(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from checkin.tickets import ticket_code, ticket_for_registration
    from events.models import Registration
    from matchmaking.models import Feedback

    setup, company, rep, person, meeting = world
    meeting_answer(meeting=meeting, actor=rep, accept=True)
    slot = meeting.slot  # the meeting is under way
    slot.starts_at, slot.ends_at = timezone.now() - timedelta(minutes=5), timezone.now() + timedelta(minutes=10)
    slot.save()
    client.force_login(rep)
    page = client.get(reverse("matchmaking:company", args=[setup.pk])).content.decode()
    assert 'name="code"' in page
    code = ticket_code(ticket_for_registration(Registration.objects.get(event=setup.event, user=person)))
    client.post(reverse("matchmaking:mark", args=[meeting.pk]), {"code": code})
    assert Meeting.objects.get(pk=meeting.pk).attendance == "held"
    client.post(reverse("matchmaking:feedback", args=[meeting.pk]), {"rating": "4", "outcome": "interview"})
    assert list(Feedback.objects.values_list("side", "rating", "outcome")) == [("company", 4, "interview")]
