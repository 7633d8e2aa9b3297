"""Outcomes: reported by a company or the candidate, confirmed by the candidate, reviewed by the
head office (audited); counted only when confirmed; nobody else can see or touch them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, Company
from programme.counting import recount, tallies_read
from programme.errors import ProgrammeError
from programme.models import Outcome
from programme.services import outcome_report, outcome_respond, outcome_review
from tests.factories import CompanyFactory, SeriesFactory, candidate, company_member, organizer

from .factories import booth_visit

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def world():
    series = SeriesFactory()
    company = CompanyFactory()
    staff = company_member(company)
    person = candidate()
    booth_visit(company, person, shared=True)
    head = organizer(manages_all=True)
    return series, company, staff, person, head


def test_company_offer_counts_only_after_candidate_and_organizer_confirm(world):
    series, company, staff, person, head = world
    outcome = outcome_report(
        actor=staff, series=series, kind="offer", candidate=person, company=company, happened_on=TODAY
    )
    assert outcome.status == Outcome.Status.AWAITING_CANDIDATE
    assert person.notifications.filter(kind="outcome.confirm").count() == 1
    outcome_respond(outcome=outcome, actor=person, accept=True)
    assert tallies_read(series.pk).get(("outcomes", "offer"), 0) == 0
    outcome_review(outcome=outcome, actor=head, approve=True)
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.CONFIRMED and outcome.reviewed_by == head
    assert tallies_read(series.pk)[("outcomes", "offer")] == 1
    assert tallies_read(series.pk) == recount(series.pk)
    assert list(
        AuditEntry.objects.filter(target_id=str(outcome.pk)).order_by("id").values_list("action", "actor_id")
    ) == [("outcome.report", staff.pk), ("outcome.accept", person.pk), ("outcome.confirm", head.pk)]


def test_rejected_outcome_is_not_counted_and_is_audited(world):
    series, _company, _staff, person, head = world
    outcome = outcome_report(actor=person, series=series, kind="station_entry", happened_on=TODAY)
    assert outcome.status == Outcome.Status.AWAITING_REVIEW
    outcome_review(outcome=outcome, actor=head, approve=False, note="材料不全")
    assert ("outcomes", "station_entry") not in tallies_read(series.pk)
    entry = AuditEntry.objects.get(action="outcome.reject")
    assert entry.actor == head and entry.data == {"note": "材料不全"}


def test_reviewed_outcome_cannot_be_reviewed_again(world):
    series, _company, _staff, person, head = world
    outcome = outcome_report(actor=person, series=series, kind="job", happened_on=TODAY)
    outcome_review(outcome=outcome, actor=head, approve=True)
    with pytest.raises(ProgrammeError) as error:
        outcome_review(outcome=outcome, actor=head, approve=True)
    assert error.value.code == "not_waiting"
    assert tallies_read(series.pk)[("outcomes", "job")] == 1


def test_company_cannot_report_for_someone_who_did_not_visit_or_share(world):
    series, company, staff, _person, _head = world
    stranger = candidate()
    with pytest.raises(ProgrammeError) as error:
        outcome_report(actor=staff, series=series, kind="offer", candidate=stranger, company=company, happened_on=TODAY)
    assert error.value.code == "not_visitor"
    hidden = candidate()
    booth_visit(company, hidden, shared=False)
    with pytest.raises(ProgrammeError):
        outcome_report(actor=staff, series=series, kind="offer", candidate=hidden, company=company, happened_on=TODAY)


def test_only_members_of_a_verified_company_report_offers(world):
    series, company, _staff, person, _head = world
    outsider = company_member(CompanyFactory())
    with pytest.raises(ProgrammeError) as error:
        outcome_report(
            actor=outsider, series=series, kind="offer", candidate=person, company=company, happened_on=TODAY
        )
    assert error.value.code == "not_member"
    Company.objects.filter(pk=company.pk).update(status=Company.Status.PENDING)
    company.refresh_from_db()
    with pytest.raises(ProgrammeError) as error:
        outcome_report(actor=_staff, series=series, kind="offer", candidate=person, company=company, happened_on=TODAY)
    assert error.value.code == "not_verified"


def test_same_outcome_reported_twice_is_refused(world):
    series, _company, _staff, person, _head = world
    outcome_report(actor=person, series=series, kind="station_entry", happened_on=TODAY)
    with pytest.raises(ProgrammeError) as error:
        outcome_report(actor=person, series=series, kind="station_entry", happened_on=TODAY)
    assert error.value.code == "duplicate"


def test_future_date_and_wrong_kind_are_refused(world):
    series, _company, _staff, person, _head = world
    for kind, day, code in (
        ("job", TODAY + timedelta(days=2), "date_invalid"),
        ("nonsense", TODAY, "kind_invalid"),
        ("offer", TODAY, "not_member"),
    ):
        with pytest.raises(ProgrammeError) as error:
            outcome_report(actor=person, series=series, kind=kind, happened_on=day)
        assert error.value.code == code


def test_partner_organizer_cannot_review(world):
    series, _company, _staff, person, _head = world
    outcome = outcome_report(actor=person, series=series, kind="job", happened_on=TODAY)
    with pytest.raises(ProgrammeError) as error:
        outcome_review(outcome=outcome, actor=organizer(), approve=True)
    assert error.value.code == "forbidden"


# --- the pages: a guessed id gets 404 / 403, never data ------------------------------------


def test_candidate_cannot_answer_someone_elses_outcome(client, world):
    series, company, staff, person, _head = world
    outcome = outcome_report(
        actor=staff, series=series, kind="offer", candidate=person, company=company, happened_on=TODAY
    )
    client.force_login(candidate())
    response = client.post(reverse("programme:outcome_respond", args=[outcome.pk]), {"accept": "1"})
    assert response.status_code == 404
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.AWAITING_CANDIDATE
    client.force_login(person)
    client.post(reverse("programme:outcome_respond", args=[outcome.pk]), {"accept": "1"})
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.AWAITING_REVIEW


def test_review_page_and_action_are_for_the_head_office_only(client, world):
    series, _company, staff, person, head = world
    outcome = outcome_report(actor=person, series=series, kind="job", happened_on=TODAY)
    url = reverse("programme:console_outcome_review", args=[outcome.pk])
    for user, status in ((person, 403), (staff, 403), (organizer(), 403)):
        client.force_login(user)
        assert client.post(url, {"approve": "1"}).status_code == status
        assert client.get(reverse("programme:console_outcomes")).status_code == status
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.AWAITING_REVIEW
    client.force_login(head)
    response = client.get(reverse("programme:console_outcomes"))
    assert response.status_code == 200 and person.display_name in response.content.decode()
    assert client.post(url, {"approve": "1"}).status_code == 302
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.CONFIRMED
    assert client.post(reverse("programme:console_outcome_review", args=[999999]), {"approve": "1"}).status_code == 404


def test_candidate_reports_own_outcome_through_the_page(client, world):
    series, company, _staff, person, _head = world
    client.force_login(person)
    response = client.post(
        reverse("programme:my_outcomes"),
        {"kind": "station_entry", "company": company.pk, "happened_on": TODAY.isoformat(), "note": "进站"},
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get(candidate=person)
    assert (outcome.kind, outcome.company, outcome.status) == ("station_entry", company, "awaiting_review")


def test_company_reports_an_offer_through_the_page_only_for_its_visitors(client, world):
    series, company, staff, person, _head = world
    client.force_login(staff)
    page = client.get(reverse("programme:my_outcomes")).content.decode()
    assert person.display_name in page
    stranger = candidate()
    response = client.post(
        reverse("programme:my_outcomes"), {"kind": "offer", "candidate": stranger.pk, "happened_on": TODAY.isoformat()}
    )
    assert response.status_code == 200 and not Outcome.objects.exists()  # not a valid choice
    client.post(
        reverse("programme:my_outcomes"), {"kind": "offer", "candidate": person.pk, "happened_on": TODAY.isoformat()}
    )
    assert Outcome.objects.get().candidate == person


def test_journey_is_own_or_head_office(client, world):
    _series, _company, staff, person, head = world
    url = reverse("programme:console_journey", args=[person.pk])
    for user in (candidate(), staff, organizer()):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(head)
    assert client.get(url).status_code == 200
    client.force_login(person)
    assert client.get(reverse("programme:my_journey")).status_code == 200


def test_outcomes_are_in_the_personal_data_export(client, world):
    series, _company, _staff, person, _head = world
    from accounts.services import personal_data_export

    assert "outcomes" not in personal_data_export(user=person)
    outcome_report(actor=person, series=series, kind="job", happened_on=TODAY, note="青岛某研究院")
    exported = personal_data_export(user=person)
    assert [(o["kind"], o["status"], o["note"]) for o in exported["outcomes"]] == [
        ("job", "awaiting_review", "青岛某研究院")
    ]
    assert exported["candidate_profile"]["province"] == ""
