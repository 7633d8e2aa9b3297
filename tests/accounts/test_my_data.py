"""Own data: what is held (page + JSON download) and deleting the account."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry, CandidateProfile, User
from events.models import Registration
from events.services import registration_create

from ..factories import PASSWORD, CompanyFactory, EventFactory, candidate, company_member
from .files import PDF

pytestmark = pytest.mark.django_db


def test_data_json_holds_profile_and_registrations(client):
    event = EventFactory(title="蓝洽会·博士后专场")
    person = candidate(full_name="张青", research_field="海洋生物学")
    registration_create(event=event, user=person)
    client.force_login(person)
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="boju-my-data.json"'
    body = response.content.decode("utf-8")
    assert "张青" in body and "\\u" not in body  # ensure_ascii=False: Chinese stays readable
    data = json.loads(body)
    # Other apps add only what they hold: no messages were written yet (on commit), no empty sections.
    assert list(data) == ["account", "candidate_profile", "companies", "registrations"]
    assert data["account"] == {
        "email": person.email,
        "name": person.name,
        "role": "candidate",
        "language": "zh-hans",
        "date_joined": person.date_joined.isoformat(),
    }
    assert (data["candidate_profile"]["full_name"], data["candidate_profile"]["research_field"]) == (
        "张青",
        "海洋生物学",
    )
    assert data["companies"] == []
    assert [(r["event"], r["event_id"], r["status"]) for r in data["registrations"]] == [
        ("蓝洽会·博士后专场", event.pk, "confirmed")
    ]


def test_data_page_shows_sections(client):
    event = EventFactory(title="产才对接会")
    person = candidate(full_name="张青")
    registration_create(event=event, user=person)
    client.force_login(person)
    response = client.get("/me/data/")
    page = response.content.decode()
    assert response.status_code == 200
    assert [str(section["title"]) for section in response.context["sections"]] == [
        "账户",
        "候选人资料",
        "所属单位",
        "活动报名",
    ]
    assert "<dt>姓名</dt><dd>张青</dd>" in page and "<td>产才对接会</td>" in page
    assert "<dt>角色</dt><dd>博士/博士后</dd>" in page and "<dt>一级学科</dt><dd>海洋科学</dd>" in page
    assert "<dt>同意向用人单位展示我的资料</dt><dd>否</dd>" in page
    assert 'href="/me/data.json"' in page


def test_data_company_member_lists_company(client):
    company = CompanyFactory(name="青岛海洋科技有限公司")
    client.force_login(company_member(company))
    data = json.loads(client.get("/me/data.json").content)
    assert (data["candidate_profile"], data["companies"]) == (
        None,
        [{"company": "青岛海洋科技有限公司", "role": "admin"}],
    )


def test_data_pages_need_login(client):
    assert client.get("/me/data/").url == "/accounts/login/?next=/me/data/"
    assert client.get("/me/data.json").url == "/accounts/login/?next=/me/data.json"


def test_delete_account_wrong_password_or_unconfirmed_refused(client):
    person = candidate()
    client.force_login(person)
    response = client.post("/me/data/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["密码不正确。"]}
    response = client.post("/me/data/", {"password": PASSWORD})
    assert response.context["form"].errors == {"confirm": ["请勾选确认后再删除。"]}
    assert User.objects.filter(pk=person.pk).exists()
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db(transaction=True)
def test_delete_account_frees_seat_removes_cv_and_logs_out(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # CVs: outside MEDIA_ROOT in production
    event = EventFactory(capacity=1, title="蓝洽会专区")
    person = candidate()
    profile = person.candidate_profile
    profile.cv = SimpleUploadedFile("cv.pdf", PDF)
    profile.save()
    cv_path = tmp_path / profile.cv.name
    assert cv_path.read_bytes() == PDF
    mine = registration_create(event=event, user=person)
    first_waiting = registration_create(event=event, user=candidate())
    second_waiting = registration_create(event=event, user=candidate())
    assert (mine.status, first_waiting.status, second_waiting.status) == ("confirmed", "waitlisted", "waitlisted")

    client.force_login(person)
    response = client.post("/me/data/", {"password": PASSWORD, "confirm": "on"})
    assert (response.status_code, response.url) == (302, "/")
    assert "_auth_user_id" not in client.session
    assert [str(m) for m in response.wsgi_request._messages] == ["您的账户和个人数据已删除。"]
    assert not User.objects.filter(pk=person.pk).exists()
    assert not CandidateProfile.objects.filter(pk=profile.pk).exists()
    assert not Registration.objects.filter(user_id=person.pk).exists()
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert (first_waiting.status, second_waiting.status) == ("confirmed", "waitlisted")
    assert not cv_path.exists()
    entry = AuditEntry.objects.get(action="account.delete")
    assert (entry.actor, entry.data) == (None, {"user_id": person.pk})
    assert client.get("/me/data/").status_code == 302  # signed out
