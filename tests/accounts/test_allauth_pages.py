"""allauth's pages render inside the site layout with our form elements, in Chinese by default."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str

from ..factories import candidate

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _h1(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page).group(1).strip()


@pytest.fixture
def person():
    user = candidate()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


ANONYMOUS_PAGES = [
    ("/accounts/login/", "登录"),
    ("/accounts/signup/", "注册"),
    ("/accounts/password/reset/", "密码重置"),
    ("/accounts/password/reset/done/", "密码重置"),
    ("/accounts/password/reset/key/done/", "修改密码"),
    ("/accounts/confirm-email/", "验证您的电子邮件地址"),
]


@pytest.mark.parametrize(("url", "heading"), ANONYMOUS_PAGES)
def test_allauth_page_renders_in_layout_anonymous(client, url, heading):
    response = client.get(url)
    page = _page(response)
    assert response.status_code == 200
    assert 'class="site-header"' in page and 'body class="auth-page"' in page
    assert "css/accounts.css" in page
    assert _h1(page) == heading


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/logout/", "登出"),
        ("/accounts/password/change/", "修改密码"),
        ("/accounts/email/", "电子邮件地址"),
    ],
)
def test_allauth_page_renders_in_layout_signed_in(client, person, url, heading):
    client.force_login(person)
    page = _page(client.get(url))
    assert _h1(page) == heading
    assert 'class="account-nav"' in page and 'body class="auth-page"' in page


def test_confirm_email_page_renders(client, person):
    address = EmailAddress.objects.create(user=candidate(), email="second@example.cn")
    key = EmailConfirmationHMAC(address).key
    response = client.get(f"/accounts/confirm-email/{key}/")
    page = _page(response)
    assert response.status_code == 200 and _h1(page) == "确认电子邮件地址"
    assert 'class="btn btn-primary" type="submit"' in page


def test_password_reset_from_key_page_renders(client, person):
    url = f"/accounts/password/reset/key/{user_pk_to_url_str(person)}-{default_token_generator.make_token(person)}/"
    response = client.get(url, follow=True)
    page = _page(response)
    assert response.status_code == 200 and _h1(page) == "修改密码"
    assert response.redirect_chain == [
        (f"/accounts/password/reset/key/{user_pk_to_url_str(person)}-set-password/", 302)
    ]
    assert 'name="password1"' in page


def test_signup_form_asks_name_and_role_first(client):
    page = _page(client.get("/accounts/signup/"))
    form = re.search(r'<form method="post" action="/accounts/signup/".*?</form>', page).group(0)
    names = re.findall(r'<(?:input|select)[^>]*name="([a-z0-9_]+)"', form)
    assert names == ["csrfmiddlewaretoken", "name", "role", "role", "email", "password1", "password2"]
    assert 'value="candidate"' in page and 'value="company"' in page
    assert "博士/博士后候选人" in page and "用人单位工作人员" in page


def test_email_page_buttons_styled(client, person):
    client.force_login(person)
    page = _page(client.get("/accounts/email/"))
    assert 'class="badge badge-ok"' in page
    assert re.search(r'class="btn btn-danger"[^>]*name="action_remove"', page)
