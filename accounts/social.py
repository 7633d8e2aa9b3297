"""Sign-in with WeChat (微信开放平台, allauth's `weixin`) and DingTalk (钉钉, `dingtalk`).

The apps (app id and secret) come from the admin (allauth's SocialApp) or from the environment
(WEIXIN_APP_ID/WEIXIN_APP_SECRET, DINGTALK_CLIENT_ID/DINGTALK_CLIENT_SECRET; see config/settings.py).
The providers' endpoint URLs are read from settings.SOCIAL_PROVIDER_URLS when given, so the tests
can point them at a local fake of each provider (tests/accounts/fake_oauth.py); in production
the setting is empty and allauth's own URLs are used.
"""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

# (provider, adapter attribute, key in SOCIAL_PROVIDER_URLS)
_URLS = [
    ("weixin", "access_token_url", "token"),
    ("weixin", "profile_url", "profile"),
    ("dingtalk", "access_token_url", "token"),
    ("dingtalk", "profile_url", "profile"),
    ("dingtalk", "authorize_url", "authorize"),
]


class _FromSettings:
    """A class attribute read from settings.SOCIAL_PROVIDER_URLS at every use, else allauth's."""

    def __init__(self, provider: str, key: str, default: str):
        self.provider, self.key, self.default = provider, key, default

    def __get__(self, instance, owner):
        urls = getattr(settings, "SOCIAL_PROVIDER_URLS", {}) or {}
        return (urls.get(self.provider) or {}).get(self.key) or self.default


def providers_configure() -> None:
    """Called once from AccountsConfig.ready()."""
    from allauth.socialaccount.providers.dingtalk.views import DingTalkOAuth2Adapter
    from allauth.socialaccount.providers.weixin.views import WeixinOAuth2Adapter

    adapters = {"weixin": WeixinOAuth2Adapter, "dingtalk": DingTalkOAuth2Adapter}
    for provider, attribute, key in _URLS:
        adapter = adapters[provider]
        current = adapter.__dict__.get(attribute)
        if isinstance(current, _FromSettings):
            continue
        setattr(adapter, attribute, _FromSettings(provider, key, current))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """The nickname becomes the account's name (our User has `name`, no username)."""
        user = super().populate_user(request, sociallogin, data)
        nickname = (data.get("name") or data.get("username") or "").strip()
        if nickname and not user.name:
            user.name = nickname[:80]
        return user


class SocialAppMissingMiddleware:
    """A WeChat or DingTalk login URL while that provider has no app configured (admin or
    environment): allauth raises SocialApp.DoesNotExist, which would be a 500. It is a 404 with
    a message: the login method is simply not offered on this site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from allauth.socialaccount.models import SocialApp
        from django.http import HttpResponseNotFound
        from django.utils.translation import gettext

        if isinstance(exception, SocialApp.DoesNotExist):
            return HttpResponseNotFound(gettext("本站未开通该登录方式。"), content_type="text/plain; charset=utf-8")
        return None
