"""The Chinese sign-up pages speak Chinese: no "Email", no ASCII full stop after 请登录
(allauth's own zh_Hans catalogue has both; locale/zh_Hans/ overrides those strings)."""

import re

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "path", ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/", "/accounts/confirm-email/"]
)
def test_no_english_email_on_the_chinese_account_pages(client, path):
    text = visible_text(client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "Email" not in text and "email" not in text.replace("type=email", "")


def test_please_sign_in_ends_with_a_chinese_full_stop(client):
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r"已经有一个账号？请<a href=\"/accounts/login/\">登录</a>。", page), page


def test_the_override_is_zh_hans_only():
    with translation.override("en"):
        assert translation.gettext("Email address") == "Email address"
    with translation.override("zh-hans"):
        assert translation.gettext("Email address") == "电子邮件地址"
