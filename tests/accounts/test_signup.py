"""Sign-up with mandatory e-mail verification, password reset mail, login rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

from ..factories import PASSWORD, candidate

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingdao-Postdoc-2025"


def _signup(client, **fields):
    return client.post(
        "/accounts/signup/",
        {
            "email": "new.postdoc@ouc.edu.cn",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "name": "新博士",
            "role": "candidate",
            **fields,
        },
    )


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/[^\s]+/)", message.body).group(1)


def test_signup_mandatory_verification_mail_link_verifies_and_logs_in(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = _signup(client)
    assert (response.status_code, response.url) == (302, "/accounts/confirm-email/")
    user = User.objects.get(email="new.postdoc@ouc.edu.cn")
    assert (user.name, user.role, user.language) == ("新博士", "candidate", "zh-hans")
    assert "_auth_user_id" not in client.session  # not signed in before verifying
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.postdoc@ouc.edu.cn"]
    assert mail.outbox[0].subject == "【博聚】请确认您的邮箱地址"
    assert "有人用 new.postdoc@ouc.edu.cn 注册了博聚账户。" in mail.outbox[0].body
    link = _link(mail.outbox[0])
    assert link.startswith("/accounts/confirm-email/")
    assert EmailAddress.objects.get(user=user).verified is False
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/me/profile/").status_code == 200


def test_signup_unverified_login_refused_until_verified(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    _signup(client)
    link = _link(mail.outbox[0])
    other = client.__class__()  # a second browser: no sign-up session to resume
    response = other.post("/accounts/login/", {"login": "new.postdoc@ouc.edu.cn", "password": NEW_PASSWORD})
    assert (response.status_code, response.url) == (302, "/accounts/confirm-email/")
    assert "_auth_user_id" not in other.session
    other.post(link)
    response = other.post("/accounts/login/", {"login": "new.postdoc@ouc.edu.cn", "password": NEW_PASSWORD})
    assert (response.status_code, response.url) == (302, "/")
    assert other.session["_auth_user_id"] == str(User.objects.get(email="new.postdoc@ouc.edu.cn").pk)


def test_signup_company_role_saved(client):
    response = _signup(client, email="hr@haier.example.cn", name="李经理", role="company")
    assert response.status_code == 302
    user = User.objects.get(email="hr@haier.example.cn")
    assert (user.name, user.role) == ("李经理", "company")


def test_signup_organizer_role_not_selectable(client):
    response = _signup(client, role="organizer")
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == ["选择一个有效的选项。 organizer 不在可用的选项中。"]
    assert not User.objects.filter(email="new.postdoc@ouc.edu.cn").exists()


def test_signup_name_required(client):
    response = _signup(client, name="")
    assert response.context["form"].errors["name"] == ["这个字段是必填项。"]
    assert not User.objects.exists()


def test_password_reset_mail_sent_and_link_works(client):
    user = candidate()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert (response.status_code, response.url) == (302, "/accounts/password/reset/done/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "【博聚】重置您的密码"
    assert mail.outbox[0].body.startswith("您好！\n\n我们收到了重置您博聚账户密码的请求。")
    link = _link(mail.outbox[0])
    assert link.startswith("/accounts/password/reset/key/")
    response = client.get(link, follow=True)
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert (response.status_code, response.url) == (302, "/accounts/password/reset/key/done/")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_unknown_address_sends_nothing_revealing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert (response.status_code, response.url) == (302, "/accounts/password/reset/done/")
    # allauth's default: no account, so no reset link goes out (an "unknown account" note at most).
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_failed_logins_locked_then_http_429(client):
    """5 failures per address lock it (form error), and 30 login posts a minute per IP get 429."""
    from allauth.account.adapter import get_adapter
    from django.utils import translation

    user = candidate()
    with translation.override("zh-hans"):
        too_many = str(get_adapter().error_messages["too_many_login_attempts"])
    statuses, locked = [], []
    for _attempt in range(31):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        statuses.append(response.status_code)
        if response.status_code == 200:
            locked.append(too_many in response.context["form"].non_field_errors())
    assert statuses == [200] * 30 + [429]
    assert locked == [False] * 5 + [True] * 25
    assert "操作过于频繁" in response.content.decode()  # our 429 page, in the site layout
    # Even the right password is refused while the limit holds.
    right = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
