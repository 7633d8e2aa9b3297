"""The candidate profile page: create, edit, consent trail, safe next=, CV upload and download."""

import importlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches

from accounts.models import AuditEntry, CandidateProfile

from ..factories import CompanyFactory, UserFactory, candidate, company_member, organizer
from .files import PDF, PNG

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "王海",
    "phone": "138 0532 1234",
    "degree": "phd",
    "postdoc_status": "in_station",
    "institution": "中国海洋大学",
    "discipline": "0707",
    "research_field": "海洋声学",
    "graduation_year": "2023",
    "consent_share": "on",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # CVs: outside MEDIA_ROOT in production
    return tmp_path


def _audit(profile):
    return list(
        AuditEntry.objects.filter(action__startswith="profile.", target_id=str(profile.pk))
        .order_by("id")
        .values_list("action", "actor_id", "data")
    )


def test_profile_page_for_new_candidate_shows_empty_form(client):
    client.force_login(UserFactory())
    response = client.get("/me/profile/")
    page = response.content.decode()
    assert response.status_code == 200 and response.context["profile"] is None
    assert "报名活动前，请先完善候选人资料。" in page
    assert '<optgroup label="理学">' in page and '<option value="0707">0707 海洋科学</option>' in page
    years = [value for value, _label in response.context["form"].fields["graduation_year"].choices]
    assert years[0] == "" and years[1] == date.today().year + 6 and years[-1] == 1980


def test_the_name_given_at_sign_up_fills_the_first_profile(client):
    client.force_login(UserFactory(name="林晓"))
    form = client.get("/me/profile/").context["form"]
    assert form["full_name"].value() == "林晓"


def test_an_overseas_number_is_accepted_and_stored_in_e164(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/me/profile/", {**FORM, "phone": "+1 (415) 555-0100"})
    assert response.status_code == 302, response.context["form"].errors
    assert CandidateProfile.objects.get(user=user).phone == "+14155550100"


def test_profile_create_then_edit_consent_recorded(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/me/profile/", FORM)
    assert (response.status_code, response.url) == (302, "/me/profile/")
    profile = CandidateProfile.objects.get(user=user)
    assert (profile.full_name, profile.phone, profile.kind, profile.graduation_year) == (
        "王海",
        "13805321234",
        "postdoc",
        2023,
    )
    assert profile.consent_share is True
    first_change = profile.consent_changed_at
    assert first_change is not None
    user.refresh_from_db()
    assert user.name == "王海"

    client.post("/me/profile/", {**FORM, "research_field": "水声通信"})  # consent unchanged
    profile.refresh_from_db()
    assert (profile.research_field, profile.consent_changed_at) == ("水声通信", first_change)

    withdrawn = {key: value for key, value in FORM.items() if key != "consent_share"}
    client.post("/me/profile/", withdrawn)
    profile.refresh_from_db()
    assert profile.consent_share is False and profile.consent_changed_at > first_change
    assert _audit(profile) == [
        ("profile.create", user.pk, {"consent_share": True}),
        ("profile.update", user.pk, {"consent_share": True}),
        ("profile.update", user.pk, {"consent_share": False}),
    ]


def test_profile_next_redirect_local_only(client):
    client.force_login(UserFactory())
    assert client.post("/me/profile/?next=/events/1/", FORM).url == "/events/1/"
    assert client.post("/me/profile/", {**FORM, "next": "/events/2/?tab=1"}).url == "/events/2/?tab=1"
    for evil in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http://testserver.evil/"]:
        response = client.post(f"/me/profile/?next={evil}", FORM)
        assert (response.status_code, response.url) == (302, "/me/profile/")


def test_profile_next_carried_into_form(client):
    client.force_login(UserFactory())
    page = client.get("/me/profile/?next=/events/7/").content.decode()
    assert '<input type="hidden" name="next" value="/events/7/">' in page
    assert (
        'name="next" value="https://evil.example/"'
        not in client.get("/me/profile/?next=https://evil.example/").content.decode()
    )


def test_profile_invalid_fields_refused(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/me/profile/", {**FORM, "phone": "12345", "discipline": "9999", "graduation_year": "1979"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["phone"] == ["请输入 11 位中国大陆手机号码；境外号码请以 + 和国家/地区代码开头，如 +1 415 555 0100。"]
    assert errors["discipline"] == ["选择一个有效的选项。 9999 不在可用的选项中。"]
    assert errors["graduation_year"] == ["选择一个有效的选项。 1979 不在可用的选项中。"]
    assert not CandidateProfile.objects.filter(user=user).exists()


def test_profile_cv_upload_download_and_bad_file_keeps_old(client, media):
    user = candidate(full_name="林晓")
    client.force_login(user)
    data = {**FORM, "full_name": "林晓"}
    client.post("/me/profile/", {**data, "cv": SimpleUploadedFile("我的简历.pdf", PDF)})
    stored = CandidateProfile.objects.get(user=user).cv.name
    assert stored.startswith("cv/") and (media / stored).read_bytes() == PDF

    response = client.post("/me/profile/", {**data, "full_name": "改名", "cv": SimpleUploadedFile("cv.pdf", PNG)})
    assert response.status_code == 400
    assert response.context["form"].errors["cv"] == ["该文件不是有效的 PDF 文件。"]
    assert "该文件不是有效的 PDF 文件。" in response.content.decode()
    assert response.context["profile"].full_name == "林晓"  # the page shows what is stored
    profile = CandidateProfile.objects.get(user=user)
    assert (profile.full_name, profile.cv.name) == ("林晓", stored)
    assert (media / stored).read_bytes() == PDF

    download = client.get("/me/profile/cv/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # Stored under a random name, given back under the person's own (kept in the database only).
    assert stored.startswith("cv/") and len(stored) == len("cv/") + 32 + len(".pdf") and "简历" not in stored
    assert download["Content-Disposition"] == "attachment; filename*=utf-8''%E6%88%91%E7%9A%84%E7%AE%80%E5%8E%86.pdf"
    assert b"".join(download.streaming_content) == PDF

    # Saving without a new file keeps the CV.
    client.post("/me/profile/", {**data, "research_field": "新方向"})
    assert CandidateProfile.objects.get(user=user).cv.name == stored


def test_profile_cv_oversize_refused(client, media, settings):
    settings.BOJU_CV_MAX_BYTES = 1024 * 1024
    user = candidate()
    client.force_login(user)
    response = client.post("/me/profile/", {**FORM, "cv": SimpleUploadedFile("cv.pdf", PDF + b"0" * 1024 * 1024)})
    assert response.status_code == 400
    assert response.context["form"].errors["cv"] == ["简历文件不能超过 1 MB。"]
    assert not CandidateProfile.objects.get(user=user).cv
    assert not list(media.rglob("*.pdf"))


@pytest.mark.django_db(transaction=True)
def test_profile_cv_replaced_or_cleared_removes_old_file(client, media):
    user = candidate()
    client.force_login(user)
    client.post("/me/profile/", {**FORM, "cv": SimpleUploadedFile("cv.pdf", PDF)})
    first = CandidateProfile.objects.get(user=user).cv.name
    client.post("/me/profile/", {**FORM, "cv": SimpleUploadedFile("cv.pdf", PDF + b"%v2")})
    second = CandidateProfile.objects.get(user=user).cv.name
    assert second != first and not (media / first).exists() and (media / second).exists()
    client.post("/me/profile/", {**FORM, "cv-clear": "on"})
    assert CandidateProfile.objects.get(user=user).cv.name == ""
    assert not (media / second).exists()


def test_cv_download_only_own(client, media):
    owner = candidate()
    profile = owner.candidate_profile
    profile.cv = SimpleUploadedFile("cv.pdf", PDF)
    profile.save()
    client.force_login(candidate())  # has a profile but no CV
    assert client.get("/me/profile/cv/").status_code == 404
    client.force_login(company_member())
    assert client.get("/me/profile/cv/").status_code == 404
    client.logout()
    response = client.get("/me/profile/cv/")
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/me/profile/cv/")
    assert client.get(f"/media/{profile.cv.name}").status_code == 404


def test_cv_never_served_from_media_in_debug(client, media, settings):
    """The development server serves uploads in DEBUG, but never a CV, however the path is spelt."""
    import config.urls

    owner = candidate()
    profile = owner.candidate_profile
    profile.cv = SimpleUploadedFile("cv.pdf", PDF)
    profile.save()
    (media / "logo.png").write_bytes(PNG)
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    try:
        client.force_login(candidate())
        assert client.get("/media/logo.png").status_code == 200
        for path in [profile.cv.name, f"x/../{profile.cv.name}", f"./{profile.cv.name}", f"/{profile.cv.name}"]:
            assert client.get(f"/media/{path}").status_code == 404, path
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_profile_page_for_company_member_lists_companies(client):
    company = CompanyFactory(name="青岛海尔智能科技", status="pending")
    user = company_member(company)
    CompanyFactory(name="别人的单位")
    client.force_login(user)
    response = client.get("/me/profile/")
    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["companies"]) == [company]
    assert f'href="/me/company/{company.pk}/"' in page and "待审核" in page and "别人的单位" not in page
    assert 'href="/me/company/new/"' in page
    assert client.post("/me/profile/", FORM).status_code == 200  # nothing to save for a company user
    assert not CandidateProfile.objects.filter(user=user).exists()


def test_profile_page_for_organizer_points_to_console(client):
    client.force_login(organizer())
    page = client.get("/me/profile/").content.decode()
    assert "您是主办方账号" in page and 'href="/console/"' in page
    assert 'href="/me/company/new/"' not in page
