"""Sign-in with WeChat and DingTalk: full OAuth round trips against a local fake of each provider
(tests/accounts/fake_oauth.py), through allauth's real views."""

import re
from urllib.parse import urlparse

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail

from accounts.models import User

from ..factories import UserFactory
from .fake_oauth import FakeProviders

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    provider = FakeProviders()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    yield provider
    provider.stop()


def _round_trip(client, fake, provider: str, person: dict, *, process: str = "login"):
    """Start the login at Boju, let the fake provider "log the person in", come back to the
    callback; returns Boju's response to the callback."""
    fake.next_person = person
    start = client.post(f"/accounts/{provider}/login/?process={process}")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(fake.url)
    answer = requests.get(authorize, allow_redirects=False, timeout=5)  # the person at the provider
    assert answer.status_code == 302
    back = urlparse(answer.headers["Location"])
    assert back.path == f"/accounts/{provider}/login/callback/"
    return client.get(f"{back.path}?{back.query}")


def test_weixin_first_login_asks_for_email_and_verifies_it(client, fake, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = settings.SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = _round_trip(client, fake, "weixin", {"openid": "wx-openid-1", "nickname": "海洋小王"})
    assert fake.calls == ["GET /connect/qrconnect", "POST /sns/oauth2/access_token", "GET /sns/userinfo"]
    assert response.status_code == 302 and response["Location"] == "/accounts/3rdparty/signup/"
    form = client.get("/accounts/3rdparty/signup/")
    assert 'name="email"' in form.content.decode()
    done = client.post("/accounts/3rdparty/signup/", {"email": "wang@example.cn", "name": "王海", "role": "candidate"})
    assert done.status_code == 302 and "confirm-email" in done["Location"]
    user = User.objects.get(email="wang@example.cn")
    assert (user.name, user.role) == ("王海", User.Role.CANDIDATE)
    assert SocialAccount.objects.get(user=user).uid == "wx-openid-1"
    assert not EmailAddress.objects.get(user=user).verified
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    client.post(urlparse(link).path)
    assert EmailAddress.objects.get(user=user).verified
    # The next WeChat login goes straight in.
    client.logout()
    again = _round_trip(client, fake, "weixin", {"openid": "wx-openid-1", "nickname": "海洋小王"})
    assert again.status_code == 302 and "3rdparty" not in again["Location"]
    assert client.get("/me/profile/").wsgi_request.user == user


def test_weixin_signup_with_an_existing_email_is_told_to_connect_instead(client, fake):
    UserFactory(email="li@example.cn")
    _round_trip(client, fake, "weixin", {"openid": "wx-2", "nickname": "李"})
    page = client.post("/accounts/3rdparty/signup/", {"email": "li@example.cn", "name": "李", "role": "candidate"})
    assert page.status_code == 200
    assert SocialAccount.objects.count() == 0
    assert User.objects.filter(email="li@example.cn").count() == 1


def test_signed_in_user_connects_dingtalk_and_weixin_then_unlinks(client, fake):
    user = UserFactory(email="zhou@example.cn")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    response = _round_trip(client, fake, "dingtalk", {"openid": "dt-union-9", "nickname": "周"}, process="connect")
    assert fake.calls == ["GET /oauth2/auth", "POST /v1.0/oauth2/userAccessToken", "GET /v1.0/contact/users/me"]
    assert response.status_code == 302
    _round_trip(client, fake, "weixin", {"openid": "wx-9", "nickname": "周"}, process="connect")
    assert sorted(SocialAccount.objects.filter(user=user).values_list("provider", "uid")) == [
        ("dingtalk", "dt-union-9"),
        ("weixin", "wx-9"),
    ]
    page = client.get("/accounts/3rdparty/").content.decode()
    assert "DingTalk" in page and "Weixin" in page
    dingtalk = SocialAccount.objects.get(user=user, provider="dingtalk")
    client.post("/accounts/3rdparty/", {"account": dingtalk.pk})
    assert list(SocialAccount.objects.filter(user=user).values_list("provider", flat=True)) == ["weixin"]
    # Logged out, the DingTalk login no longer reaches this account: it starts a new sign-up.
    client.logout()
    again = _round_trip(client, fake, "dingtalk", {"openid": "dt-union-9", "nickname": "周"})
    assert again["Location"] == "/accounts/3rdparty/signup/"


def test_forged_code_is_refused_by_the_provider_and_logs_nobody_in(client, fake):
    fake.next_person = {"openid": "wx-x", "nickname": "x"}
    start = client.post("/accounts/weixin/login/")
    state = re.search(r"state=([^&]+)", start["Location"]).group(1)
    response = client.get(f"/accounts/weixin/login/callback/?code=forged&state={state}")
    assert response.status_code == 401 and "_auth_user_id" not in client.session  # allauth's login error page
    assert SocialAccount.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/weixin/login/",
        "/accounts/weixin/login/callback/",
        "/accounts/dingtalk/login/",
        "/accounts/dingtalk/login/callback/",
    ],
)
def test_unconfigured_provider_urls_are_404_not_500(client, path):
    # No SocialApp in the database and none in the settings (found by the fuzz test).
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.all().delete()
    for response in (client.get(path), client.post(path, {"code": ""})):
        assert response.status_code == 404
        assert response.content.decode() == "本站未开通该登录方式。"
