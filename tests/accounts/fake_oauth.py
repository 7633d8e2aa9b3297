"""A small local fake of WeChat Open Platform's and DingTalk's OAuth endpoints, for the tests.

Started by a test on 127.0.0.1 (a free port, a thread); the settings point allauth's providers
at it. It plays the provider's part of the round trip for real: the authorize endpoint sends the
browser back to the callback with a one-time code, the token endpoint checks the app's id,
secret and that code, the profile endpoint checks the access token. Paths are the providers'
own, so the requests allauth builds are checked as they would be by WeChat and DingTalk.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


class FakeProviders:
    def __init__(self, *, weixin_app=("wx-app", "wx-secret"), dingtalk_app=("dt-app", "dt-secret")):
        self.weixin_app, self.dingtalk_app = weixin_app, dingtalk_app
        self.codes: dict[str, dict] = {}  # code -> the person who "logged in"
        self.tokens: dict[str, dict] = {}  # access token -> the person
        self.next_person: dict = {}  # set by the test before each login
        self.calls: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.calls.append(f"GET {url.path}")
                if url.path in ("/connect/qrconnect", "/oauth2/auth"):
                    return fake.authorize(self, url.path, query)
                if url.path == "/sns/oauth2/access_token":
                    return fake.weixin_token(self, query)
                if url.path == "/sns/userinfo":
                    person = fake.tokens.get(query.get("access_token", ""))
                    if person is None or person["openid"] != query.get("openid"):
                        return self._json(200, {"errcode": 40001, "errmsg": "invalid credential"})
                    return self._json(
                        200,
                        {
                            "openid": person["openid"],
                            "nickname": person["nickname"],
                            "headimgurl": "",
                            "unionid": person["openid"] + "-u",
                        },
                    )
                if url.path == "/v1.0/contact/users/me":
                    person = fake.tokens.get(self.headers.get("x-acs-dingtalk-access-token", ""))
                    if person is None:
                        return self._json(401, {"code": "InvalidAuthentication"})
                    return self._json(
                        200,
                        {"openId": person["openid"], "nick": person["nickname"], "unionId": person["openid"] + "-u"},
                    )
                return self._json(404, {"error": "not found"})

            def do_POST(self):
                url = urlparse(self.path)
                fake.calls.append(f"POST {url.path}")
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or b"{}")
                else:  # a form, as allauth's weixin client posts the token request
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if url.path == "/v1.0/oauth2/userAccessToken":
                    return fake.dingtalk_token(self, body)
                if url.path == "/sns/oauth2/access_token":
                    return fake.weixin_token(self, body)
                return self._json(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # --- the provider's side ----------------------------------------------------------------

    def authorize(self, handler, path: str, query: dict) -> None:
        app_id = query.get("appid") if path == "/connect/qrconnect" else query.get("client_id")
        expected = self.weixin_app[0] if path == "/connect/qrconnect" else self.dingtalk_app[0]
        if app_id != expected or not query.get("redirect_uri"):
            return handler._json(400, {"error": "bad app"})
        code = secrets.token_urlsafe(8)
        self.codes[code] = dict(self.next_person)
        # WeChat answers with `code`, DingTalk with `authCode`.
        key = "code" if path == "/connect/qrconnect" else "authCode"
        handler.send_response(302)
        handler.send_header(
            "Location", f"{query['redirect_uri']}?{urlencode({key: code, 'state': query.get('state', '')})}"
        )
        handler.end_headers()

    def _token_for(self, code: str) -> str | None:
        person = self.codes.pop(code, None)  # one-time
        if person is None:
            return None
        token = secrets.token_urlsafe(12)
        self.tokens[token] = person
        return token

    def weixin_token(self, handler, query: dict) -> None:
        if (query.get("appid"), query.get("secret")) != self.weixin_app or query.get(
            "grant_type"
        ) != "authorization_code":
            return handler._json(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
        token = self._token_for(query.get("code", ""))
        if token is None:
            return handler._json(200, {"errcode": 40029, "errmsg": "invalid code"})
        return handler._json(
            200,
            {
                "access_token": token,
                "expires_in": 7200,
                "refresh_token": "r",
                "openid": self.tokens[token]["openid"],
                "scope": "snsapi_login",
            },
        )

    def dingtalk_token(self, handler, body: dict) -> None:
        if (body.get("clientId"), body.get("clientSecret")) != self.dingtalk_app:
            return handler._json(400, {"code": "invalidClientId"})
        token = self._token_for(body.get("code", ""))
        if token is None:
            return handler._json(400, {"code": "invalidAuthCode"})
        return handler._json(200, {"accessToken": token, "refreshToken": "r", "expireIn": 7200})

    def settings(self) -> dict:
        """What the test puts into Django's settings to point allauth here."""
        return {
            "SOCIAL_PROVIDER_URLS": {
                "weixin": {"token": f"{self.url}/sns/oauth2/access_token", "profile": f"{self.url}/sns/userinfo"},
                "dingtalk": {
                    "authorize": f"{self.url}/oauth2/auth",
                    "token": f"{self.url}/v1.0/oauth2/userAccessToken",
                    "profile": f"{self.url}/v1.0/contact/users/me",
                },
            },
            "SOCIALACCOUNT_PROVIDERS": {
                "weixin": {
                    "SCOPE": ["snsapi_login"],
                    "AUTHORIZE_URL": f"{self.url}/connect/qrconnect",
                    "APPS": [{"client_id": self.weixin_app[0], "secret": self.weixin_app[1], "key": ""}],
                },
                "dingtalk": {
                    "SCOPE": ["openid"],
                    "APPS": [{"client_id": self.dingtalk_app[0], "secret": self.dingtalk_app[1], "key": ""}],
                },
            },
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
