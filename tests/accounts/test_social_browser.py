"""The login page offers WeChat and DingTalk (apps entered in the admin as SocialApp rows), and the
account page lists the connections; on a phone. Screenshots land in test-artifacts/."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp

from ..browser_support import ARTIFACTS
from ..factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_login_offers_wechat_and_account_lists_connections(open_page):
    SocialApp.objects.create(provider="weixin", name="微信开放平台", client_id="wx-app", secret="s")
    SocialApp.objects.create(provider="dingtalk", name="钉钉", client_id="dt-app", secret="s")
    page = open_page(None, "/accounts/login/")
    texts = page.locator("main").inner_text()
    assert "Weixin" in texts and "DingTalk" in texts
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "social-login-phone.png"), full_page=True)
    user = UserFactory(email="zhou@example.cn")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    SocialAccount.objects.create(user=user, provider="weixin", uid="wx-9", extra_data={"nickname": "周同学"})
    page = open_page(user, "/accounts/3rdparty/")
    assert "周同学" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "social-connections-phone.png"), full_page=True)
