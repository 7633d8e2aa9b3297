"""Company registration by its staff and the members-only company page."""

import pytest

from accounts.models import AuditEntry, Company
from accounts.validators import credit_code_check_char

from ..factories import CompanyFactory, UserFactory, candidate, company_member, organizer

pytestmark = pytest.mark.django_db

FIRST17 = "91370200MA0000001"
GOOD_CODE = FIRST17 + credit_code_check_char(FIRST17)
WRONG_CODE = FIRST17 + ("0" if GOOD_CODE[-1] != "0" else "1")
FORM = {
    "name": "青岛测试科技有限公司",
    "credit_code": GOOD_CODE.lower(),
    "industry": "ai",
    "platform_kind": "none",
    "description": "海洋装备研发",
    "website": "https://example.cn",
}


def test_company_create_saves_pending_with_admin(client):
    user = UserFactory(role="company")
    client.force_login(user)
    assert client.get("/me/company/new/").status_code == 200
    response = client.post("/me/company/new/", FORM)
    company = Company.objects.get()
    assert (response.status_code, response.url) == (302, f"/me/company/{company.pk}/")
    assert (company.name, company.credit_code, company.status) == ("青岛测试科技有限公司", GOOD_CODE, "pending")
    assert list(company.memberships.values_list("user_id", "role")) == [(user.pk, "admin")]
    assert AuditEntry.objects.get(action="company.create").actor == user
    page = client.get(response.url).content.decode()
    assert "待审核" in page and "主办方审核通过后即可预订展位" in page and user.email in page


def test_company_create_bad_credit_code_refused(client):
    client.force_login(UserFactory(role="company"))
    response = client.post("/me/company/new/", {**FORM, "credit_code": WRONG_CODE})
    assert response.status_code == 400
    assert response.context["form"].errors == {"credit_code": ["统一社会信用代码校验位不正确，请核对。"]}
    response = client.post("/me/company/new/", {**FORM, "credit_code": "91370200MA000000I1"})
    assert response.context["form"].errors == {
        "credit_code": ["统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。"]
    }
    assert Company.objects.count() == 0


def test_company_create_duplicate_code_refused(client):
    CompanyFactory(credit_code=GOOD_CODE, name="已注册单位")
    client.force_login(UserFactory(role="company"))
    response = client.post("/me/company/new/", FORM)  # lower case: still the same code
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "credit_code": ["该统一社会信用代码已注册。如您是该单位员工，请联系单位管理员将您加为成员。"]
    }
    assert Company.objects.count() == 1


def test_company_create_candidate_without_profile_becomes_company_user(client):
    user = UserFactory(role="candidate")
    client.force_login(user)
    client.post("/me/company/new/", FORM)
    user.refresh_from_db()
    assert user.role == "company" and Company.objects.get().memberships.get().user == user


@pytest.mark.parametrize("make_user", [candidate, organizer])
def test_company_create_refused_for_candidates_with_profile_and_organizers(client, make_user):
    client.force_login(make_user())
    response = client.post("/me/company/new/", FORM)
    assert (response.status_code, response.url) == (302, "/me/profile/")
    assert Company.objects.count() == 0
    assert [str(m) for m in response.wsgi_request._messages] == [
        "候选人和主办方账号不能注册用人单位，请使用单位工作邮箱另行注册。"
    ]


def test_company_page_members_only(client):
    company = CompanyFactory(status="verified", name="青岛海洋装备有限公司")
    admin = company_member(company)
    staff = company_member(company, role="staff")
    client.force_login(staff)
    response = client.get(f"/me/company/{company.pk}/")
    assert response.status_code == 200
    assert [(m.user, m.role) for m in response.context["members"]] == [(admin, "admin"), (staff, "staff")]
    assert "已认证" in response.content.decode()
    for outsider in [company_member(CompanyFactory()), candidate(), organizer()]:
        client.force_login(outsider)
        assert client.get(f"/me/company/{company.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/me/company/{company.pk}/").status_code == 302
    assert client.get("/me/company/999999/").status_code == 302


def test_company_page_shows_rejection(client):
    company = CompanyFactory(status="rejected")
    client.force_login(company_member(company))
    page = client.get(f"/me/company/{company.pk}/").content.decode()
    assert '<span class="badge badge-off">未通过</span>' in page and "单位认证未通过" in page
