"""Company logo (checked, re-encoded, resized with Pillow) and colleague invitations."""

import io
import os
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import AuditEntry, CompanyInvitation, CompanyMembership, User
from accounts.services import AccountError, company_invite_accept, company_invite_create, company_logo_set

from ..factories import CompanyFactory, UserFactory, candidate, company_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # CVs: outside MEDIA_ROOT in production


def png(size=(800, 600), mode="RGB", noise=False) -> bytes:
    if noise:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, color=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def upload(content: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_logo(client, company, content, name="logo.png"):
    return client.post(f"/me/company/{company.pk}/logo/", {"logo": upload(content, name)})


def test_logo_is_reencoded_and_resized():
    company = CompanyFactory()
    admin = company_member(company)
    jpeg = io.BytesIO()
    Image.new("RGB", (1600, 800), color=(10, 60, 120)).save(jpeg, format="JPEG")
    company_logo_set(company=company, actor=admin, upload=upload(jpeg.getvalue(), "logo.jpg", "image/jpeg"))
    company.refresh_from_db()
    assert company.logo.name.endswith(".png")
    with Image.open(company.logo.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (512, 256))
    assert AuditEntry.objects.filter(action="company.logo", actor=admin).count() == 1


def test_logo_view_refuses_a_non_image_with_a_message(client):
    company = CompanyFactory()
    client.force_login(company_member(company))
    response = post_logo(client, company, b"#!/bin/sh\necho not an image\n")
    assert response.status_code == 400
    assert "只接受 PNG、JPEG、GIF 或 WebP 图片，该文件无法识别为图片。" in response.content.decode()
    company.refresh_from_db()
    assert not company.logo


def test_logo_view_refuses_an_oversized_file(client):
    company = CompanyFactory()
    client.force_login(company_member(company))
    big = png((1000, 900), noise=True)
    assert len(big) > 2 * 1024 * 1024
    response = post_logo(client, company, big)
    assert response.status_code == 400
    assert "图片文件不能超过 2 MB。" in response.content.decode()
    company.refresh_from_db()
    assert not company.logo


@pytest.mark.parametrize("side", [10_000, 6_000])  # past Pillow's error limit, and past its warning limit
def test_logo_view_refuses_a_decompression_bomb(client, side):
    company = CompanyFactory()
    client.force_login(company_member(company))
    bomb = png((side, side), mode="1")
    assert len(bomb) < 200_000  # tiny on disk, tens of millions of pixels once decoded
    response = post_logo(client, company, bomb)
    assert response.status_code == 400
    assert "图片像素尺寸过大（可能是恶意构造的文件），无法处理" in response.content.decode()
    company.refresh_from_db()
    assert not company.logo


def test_logo_by_staff_member_refused():
    company = CompanyFactory()
    staff = company_member(company, role=CompanyMembership.Role.STAFF)
    with pytest.raises(AccountError) as error:
        company_logo_set(company=company, actor=staff, upload=upload(png()))
    assert error.value.code == "forbidden"


def test_logo_of_another_company_is_404(client):
    company = CompanyFactory()
    client.force_login(company_member(CompanyFactory()))
    assert post_logo(client, company, png()).status_code == 404


def test_invitation_mail_and_accept_makes_a_staff_member(client, django_capture_on_commit_callbacks):
    company = CompanyFactory(name="青岛海蓝智能科技有限公司")
    admin = company_member(company)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/company/{company.pk}/invite/", {"email": "Colleague@Example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["colleague@example.cn"]
    link = re.search(r"http://testserver(/me/company/join/\S+/)", mail.outbox[0].body).group(1)
    colleague = UserFactory(email="colleague@example.cn", role=User.Role.CANDIDATE)
    client.force_login(colleague)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    membership = CompanyMembership.objects.get(company=company, user=colleague)
    assert membership.role == "staff"
    colleague.refresh_from_db()
    assert colleague.role == "company"
    assert client.post(link).status_code == 400  # used once


def test_invitation_for_someone_else_refused():
    company = CompanyFactory()
    admin = company_member(company)
    invitation = company_invite_create(company=company, actor=admin, email="a@example.cn", accept_url=lambda t: t)
    with pytest.raises(AccountError) as error:
        company_invite_accept(token=invitation.token, user=UserFactory(email="b@example.cn"))
    assert error.value.code == "wrong_user"
    person = candidate()
    other = company_invite_create(company=company, actor=admin, email=person.email, accept_url=lambda t: t)
    with pytest.raises(AccountError) as error:
        company_invite_accept(token=other.token, user=person)
    assert error.value.code == "not_allowed"
    assert CompanyInvitation.objects.filter(accepted_at__isnull=False).count() == 0


def test_invitation_by_staff_refused():
    company = CompanyFactory()
    staff = company_member(company, role=CompanyMembership.Role.STAFF)
    with pytest.raises(AccountError) as error:
        company_invite_create(company=company, actor=staff, email="x@example.cn", accept_url=lambda t: t)
    assert error.value.code == "forbidden"


def test_company_admin_edits_description_website_contact_staff_cannot(client):
    company = CompanyFactory(name="青岛海蓝智能科技有限公司")
    admin = company_member(company)
    client.force_login(admin)
    response = client.post(
        f"/me/company/{company.pk}/edit/",
        {"description": "海洋智能装备", "website": "https://hailan.example.cn", "contact": "李敏 0532-88886666"},
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.description, company.website, company.contact) == (
        "海洋智能装备",
        "https://hailan.example.cn",
        "李敏 0532-88886666",
    )
    assert client.post(f"/me/company/{company.pk}/edit/", {"website": "not a url"}).status_code == 400
    client.force_login(company_member(company, role=CompanyMembership.Role.STAFF))
    assert client.get(f"/me/company/{company.pk}/edit/").status_code == 404
    client.force_login(company_member(CompanyFactory()))
    assert client.post(f"/me/company/{company.pk}/edit/", {"description": "x"}).status_code == 404
    company.refresh_from_db()
    assert company.description == "海洋智能装备"
