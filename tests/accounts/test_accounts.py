"""Identifiers, sign-up with e-mail verification, rate limits, profile, own data, companies."""

import json
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry, CandidateProfile, Company, User
from accounts.validators import credit_code_check_char, validate_credit_code, validate_cv, validate_phone
from events.models import Registration
from events.services import registration_create

from ..factories import PASSWORD, CompanyFactory, EventFactory, UserFactory, candidate, company_member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_credit_code_check_character():
    # Codes as printed on real business licences (public registry data) end in the right character.
    for published in ["91440300708461136T", "91110000802100433B", "91110108551385082Q"]:
        assert credit_code_check_char(published[:17]) == published[17]
        validate_credit_code(published)
    first17 = "91370200MA0000001"
    validate_credit_code(first17 + credit_code_check_char(first17))
    validate_credit_code((first17 + credit_code_check_char(first17)).lower())  # normalised to upper case
    wrong = "0" if credit_code_check_char(first17) != "0" else "1"
    for bad, code in [(first17 + wrong, "credit_code_checksum"), ("9137020", "credit_code_format"),
                      ("91370200MA000000I1", "credit_code_format"), ("91370200MA0000O0Z1", "credit_code_format")]:
        with pytest.raises(ValidationError) as caught:
            validate_credit_code(bad)
        assert caught.value.code == code


def test_phone_validator():
    validate_phone("13805320001")
    validate_phone("138-0532-0001")
    for bad in ["12805320001", "1380532000", "phone"]:
        with pytest.raises(ValidationError) as caught:
            validate_phone(bad)
        assert caught.value.messages == ["请输入 11 位中国大陆手机号码。"]


def test_cv_checks(settings):
    validate_cv(SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"))
    with pytest.raises(ValidationError) as fake:
        validate_cv(SimpleUploadedFile("cv.pdf", PNG, content_type="application/pdf"))
    assert fake.value.messages == ["该文件不是有效的 PDF 文件。"]
    with pytest.raises(ValidationError) as wrong_name:
        validate_cv(SimpleUploadedFile("cv.docx", PDF))
    assert wrong_name.value.messages == ["简历必须是 PDF 文件。"]
    settings.BOJU_CV_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as big:
        validate_cv(SimpleUploadedFile("cv.pdf", PDF + b"0" * (1024 * 1024)))
    assert big.value.messages == ["简历文件不能超过 1 MB。"]


def test_signup_needs_email_verification_then_logs_in(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post("/accounts/signup/", {
        "email": "new.postdoc@ouc.edu.cn", "password1": "Qingdao-Postdoc-2025", "password2": "Qingdao-Postdoc-2025",
        "name": "新博士", "role": "candidate",
    })
    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="new.postdoc@ouc.edu.cn")
    assert (user.name, user.role, user.language) == ("新博士", "candidate", "zh-hans")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.postdoc@ouc.edu.cn"]
    link = re.search(r"http://testserver(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert client.post("/accounts/login/", {"login": user.email, "password": "Qingdao-Postdoc-2025"}).url == \
        "/accounts/confirm-email/"
    client.post(link)
    response = client.post("/accounts/login/", {"login": user.email, "password": "Qingdao-Postdoc-2025"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/me/profile/").status_code == 200


def test_password_reset_mail(client):
    user = candidate()
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_failed_logins_are_rate_limited(client):
    from allauth.account.adapter import get_adapter
    from django.utils import translation

    user = candidate()
    with translation.override("zh-hans"):
        too_many = str(get_adapter().error_messages["too_many_login_attempts"])
    errors = [client.post("/accounts/login/", {"login": user.email, "password": "wrong"}).context["form"]
              .non_field_errors() for _ in range(6)]
    assert too_many not in errors[0] and too_many in errors[5]
    # Even the right password is refused while the limit holds.
    right = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert right.status_code == 200 and too_many in right.context["form"].non_field_errors()


def test_profile_create_edit_consent_and_safe_next(client):
    user = UserFactory()
    client.force_login(user)
    data = {"full_name": "王海", "phone": "13805321234", "degree": "phd", "postdoc_status": "in_station",
            "institution": "中国海洋大学", "discipline": "0707", "research_field": "海洋声学",
            "graduation_year": "2023", "consent_share": "on"}
    response = client.post("/me/profile/?next=/events/1/", data)
    assert response.url == "/events/1/"
    profile = CandidateProfile.objects.get(user=user)
    assert (profile.kind, profile.consent_share, profile.consent_changed_at is not None) == ("postdoc", True, True)
    data.pop("consent_share")
    response = client.post("/me/profile/?next=https://evil.example/", data)
    assert response.url == "/me/profile/"
    profile.refresh_from_db()
    assert profile.consent_share is False
    assert list(AuditEntry.objects.filter(target_id=str(profile.pk)).values_list("action", "data")
                .order_by("id")) == [("profile.create", {"consent_share": True}),
                                     ("profile.update", {"consent_share": False})]


def test_bad_cv_upload_keeps_old_profile(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = candidate()
    client.force_login(user)
    data = {"full_name": "林晓", "phone": "13805321234", "degree": "phd", "postdoc_status": "none",
            "institution": "中国海洋大学", "discipline": "0707"}
    client.post("/me/profile/", {**data, "cv": SimpleUploadedFile("cv.pdf", PDF)})
    stored = CandidateProfile.objects.get(user=user).cv.name
    assert stored.startswith("cv/")
    response = client.post("/me/profile/", {**data, "full_name": "改名", "cv": SimpleUploadedFile("cv.pdf", PNG)})
    assert response.status_code == 400
    assert response.context["form"].errors["cv"] == ["该文件不是有效的 PDF 文件。"]
    profile = CandidateProfile.objects.get(user=user)
    assert (profile.full_name, profile.cv.name) == ("林晓", stored)
    download = client.get("/me/profile/cv/")
    assert b"".join(download.streaming_content) == PDF
    client.force_login(candidate())
    assert client.get("/me/profile/cv/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_data_export_and_account_delete_frees_seat(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = EventFactory(capacity=1, title="蓝洽会专区")
    person = candidate()
    profile = person.candidate_profile
    profile.cv = SimpleUploadedFile("cv.pdf", PDF)
    profile.save()
    cv_path = tmp_path / profile.cv.name
    assert cv_path.exists()
    registration_create(event=event, user=person)
    waiting = registration_create(event=event, user=candidate())
    client.force_login(person)
    data = json.loads(client.get("/me/data.json").content)
    assert data["account"]["email"] == person.email
    assert data["candidate_profile"]["full_name"] == profile.full_name
    assert [(r["event"], r["status"]) for r in data["registrations"]] == [("蓝洽会专区", "confirmed")]
    response = client.post("/me/data/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400 and response.context["form"].errors["password"] == ["密码不正确。"]
    assert User.objects.filter(pk=person.pk).exists()
    response = client.post("/me/data/", {"password": PASSWORD, "confirm": "on"})
    assert response.url == "/"
    assert not User.objects.filter(pk=person.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert not Registration.objects.filter(user_id=person.pk).exists()
    assert not cv_path.exists()


def test_company_registration_and_member_only_page(client):
    user = UserFactory(role="company")
    client.force_login(user)
    bad = {"name": "青岛测试科技有限公司", "credit_code": "91370200MA00000010", "industry": "ai",
           "platform_kind": "none"}
    first17 = "91370200MA0000001"
    if credit_code_check_char(first17) == "0":
        bad["credit_code"] = first17 + "1"
    response = client.post("/me/company/new/", bad)
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"] == ["统一社会信用代码校验位不正确，请核对。"]
    assert Company.objects.count() == 0
    good = {**bad, "credit_code": (first17 + credit_code_check_char(first17)).lower()}
    response = client.post("/me/company/new/", good)
    company = Company.objects.get()
    assert response.url == f"/me/company/{company.pk}/"
    assert (company.status, company.credit_code) == ("pending", good["credit_code"].upper())
    assert company.memberships.get().role == "admin"
    duplicate = client.post("/me/company/new/", good)
    assert duplicate.status_code == 400 and Company.objects.count() == 1
    client.force_login(company_member(CompanyFactory()))
    assert client.get(f"/me/company/{company.pk}/").status_code == 404


def test_organizer_verifies_company(client):
    from ..factories import organizer

    company = CompanyFactory(status="pending")
    client.force_login(company_member())
    assert client.post(f"/console/companies/{company.pk}/verify/").status_code == 403
    head = organizer()
    client.force_login(head)
    assert company.name in client.get("/console/companies/").content.decode()
    client.post(f"/console/companies/{company.pk}/verify/")
    company.refresh_from_db()
    assert (company.status, company.verified_by) == ("verified", head)
    assert AuditEntry.objects.get(action="company.verify").actor == head


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_allauth_pages_render_in_layout(client, url):
    page = client.get(url).content.decode()
    assert 'class="site-header"' in page and "<form" in page
