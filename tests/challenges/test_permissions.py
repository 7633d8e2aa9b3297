"""Every URL of challenges refuses another company, another team, a candidate who is not on the
team, and organizers of another series (404, or the login page for anonymous visitors)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import Application, Challenge, ChallengeAttachment
from challenges.services import application_create

from ..factories import EventFactory, SeriesFactory, candidate, organizer, team_member
from .factories import (
    PDF,
    application_data,
    company_with_member,
    pdf,
    postdoc,
    published_challenge,
    team_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    series = SeriesFactory()
    theirs, their_boss = company_with_member(name="他单位")
    ours, our_boss = company_with_member(name="本单位")
    challenge = published_challenge(theirs, series=series, details_confidential=True)
    draft = published_challenge(theirs, series=series, title="草稿难题")
    Challenge.objects.filter(pk=draft.pk).update(status=Challenge.Status.DRAFT, published_at=None)
    attachment = ChallengeAttachment(challenge=challenge, name="spec.pdf", size=len(PDF))
    attachment.file.save("spec.pdf", SimpleUploadedFile("spec.pdf", PDF), save=True)
    lead, member = postdoc(), postdoc()
    app = application_create(
        challenge=challenge, actor=lead, data=application_data(), team=team_of(lead, member), upload=pdf()
    )
    other_lead = postdoc()
    other = application_create(challenge=challenge, actor=other_lead, data=application_data())
    other_series_organizer = organizer()
    team_member(
        EventFactory(series=SeriesFactory(slug="other-series", title="另一系列", year=2026)), other_series_organizer
    )
    return {
        "challenge": challenge,
        "draft": draft,
        "attachment": attachment,
        "app": app,
        "other": other,
        "lead": lead,
        "member": member,
        "other_lead": other_lead,
        "their_boss": their_boss,
        "our_boss": our_boss,
        "outsider": candidate(),
        "other_series_organizer": other_series_organizer,
    }


def company_urls(w):
    c, d, a = w["challenge"].pk, w["draft"].pk, w["app"].pk
    return [
        ("get", f"/company/challenges/{c}/"),
        ("post", f"/company/challenges/{c}/"),
        ("get", f"/company/challenges/{d}/edit/"),
        ("post", f"/company/challenges/{d}/edit/"),
        ("get", f"/company/challenges/{c}/applications.xlsx"),
        ("post", f"/company/challenges/applications/{a}/"),
        ("get", f"/company/challenges/applications/{a}/cv/"),
    ]


def team_urls(w):
    a = w["app"].pk
    return [
        ("get", f"/challenges/applications/{a}/"),
        ("post", f"/challenges/applications/{a}/"),
        ("get", f"/challenges/applications/{a}/proposal/"),
    ]


def unlisted_urls(w):
    d = w["draft"].pk
    return [
        ("get", f"/challenges/{d}/"),
        ("post", f"/challenges/{d}/follow/"),
        ("post", f"/challenges/{d}/confidentiality/"),
        ("get", f"/challenges/{d}/apply/"),
    ]


def console_urls(w):
    c = w["challenge"].pk
    return [
        ("get", "/console/challenges/"),
        ("get", f"/console/challenges/{c}/"),
        ("post", f"/console/challenges/{c}/"),
        ("get", "/console/challenges/challenges.xlsx"),
        ("get", "/console/challenges/projects/"),
        ("get", "/console/challenges/projects.xlsx"),
    ]


def hit(client, method, url):
    data = {"action": "shortlist"} if method == "post" else None
    return getattr(client, method)(url, data) if data else getattr(client, method)(url)


@pytest.mark.parametrize("who", ["our_boss", "lead", "outsider"])
def test_company_urls_refuse_other_users(client, world, who):
    client.force_login(world[who])
    for method, url in company_urls(world):
        assert hit(client, method, url).status_code in (403, 404), (who, method, url)
    assert Application.objects.get(pk=world["app"].pk).status == "submitted"


@pytest.mark.parametrize("who", ["other_lead", "outsider", "our_boss"])
def test_team_urls_refuse_another_team_and_strangers(client, world, who):
    client.force_login(world[who])
    for method, url in team_urls(world):
        assert hit(client, method, url).status_code == 404, (who, method, url)


def test_team_member_reads_but_only_lead_writes(client, world):
    client.force_login(world["member"])
    url = f"/challenges/applications/{world['app'].pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "withdraw"}).status_code == 404
    assert Application.objects.get(pk=world["app"].pk).status == "submitted"


def test_company_reads_proposal_of_its_challenge(client, world):
    client.force_login(world["their_boss"])
    response = client.get(f"/challenges/applications/{world['app'].pk}/proposal/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["our_boss", "lead", "outsider", "other_series_organizer"])
def test_unlisted_challenge_is_404(client, world, who):
    client.force_login(world[who])
    for method, url in unlisted_urls(world):
        assert hit(client, method, url).status_code == 404, (who, method, url)


def test_unlisted_challenge_is_404_to_anonymous(client, world):
    assert client.get(f"/challenges/{world['draft'].pk}/").status_code == 404


def test_console_other_series_organizer_sees_nothing_of_this_series(client, world):
    client.force_login(world["other_series_organizer"])
    c = world["challenge"].pk
    assert client.get(f"/console/challenges/{c}/").status_code == 404
    assert client.post(f"/console/challenges/{c}/", {"action": "approve"}).status_code == 404
    for status in ("published", "draft", "submitted"):
        page = client.get(f"/console/challenges/?status={status}").content.decode()
        assert world["challenge"].title not in page and world["draft"].title not in page
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/console/challenges/challenges.xlsx").content)).active
    assert sheet.max_row == 1  # the header only


@pytest.mark.parametrize("who", ["their_boss", "lead", "outsider"])
def test_console_urls_refuse_non_reviewers(client, world, who):
    client.force_login(world[who])
    for method, url in console_urls(world):
        assert hit(client, method, url).status_code in (403, 404), (who, method, url)


def test_anonymous_is_sent_to_login(client, world):
    for method, url in company_urls(world) + team_urls(world) + console_urls(world):
        response = hit(client, method, url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (method, url)


def test_confidential_attachment_needs_the_statement(client, world):
    url = f"/challenges/attachments/{world['attachment'].pk}/"
    assert client.get(url).status_code == 404
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    page = client.get(f"/challenges/{world['challenge'].pk}/").content.decode()
    assert "保密数据" not in page and "data-nda" in page
    client.post(f"/challenges/{world['challenge'].pk}/confidentiality/", {"agree": "1"})
    assert client.get(url).status_code == 200
    assert "保密数据" in client.get(f"/challenges/{world['challenge'].pk}/").content.decode()


def test_attachment_has_no_public_url(world):
    with pytest.raises(ValueError):
        world["attachment"].file.url  # noqa: B018  (the access itself is what must raise)
    assert "/media/" not in world["attachment"].file.path


def test_cv_only_where_shared(client, world):
    from accounts.models import CandidateProfile

    profile = CandidateProfile.objects.get(user=world["lead"])
    profile.cv.save("cv.pdf", SimpleUploadedFile("cv.pdf", PDF), save=True)
    client.force_login(world["their_boss"])
    url = f"/company/challenges/applications/{world['app'].pk}/cv/"
    assert client.get(url).status_code == 200
    Application.objects.filter(pk=world["app"].pk).update(share_cv=False)
    assert client.get(url).status_code == 404
    assert (
        f"/company/challenges/applications/{world['app'].pk}/cv/"
        not in client.get(f"/company/challenges/{world['challenge'].pk}/").content.decode()
    )
