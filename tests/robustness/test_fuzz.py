"""Never a 5xx: every URL pattern of the site, and every JSON endpoint, with generated paths,
query strings, form bodies and JSON bodies, as each kind of person (hypothesis, bounded).

Paths are built from the patterns themselves (tests/robustness/urlspace.py): numeric ids are
mostly ids that exist (so views get past their 404) and sometimes huge or zero; other parts are
generated from the pattern's own regex. Query strings use the parameter names the views read,
with hostile values (NUL, "²", 30-digit numbers, "foo" as `next`...). Bodies are random forms and
random JSON, deeply nested sometimes. A response of 500 or more fails the test with the request
that caused it.

It sends roughly 600 + 160 (admin) + 300 (JSON) requests: about 35 s of CPU here; bounded by
max_examples (BOJU_FUZZ_EXAMPLES raises it for a longer local run).
"""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .urlspace import PARAM_NAMES, build_path, hostile_text, json_bodies, patterns_of_site, world_create, world_logins

pytestmark = pytest.mark.django_db

ALL = patterns_of_site()
SITE = [p for p in ALL if not p.regex.startswith("admin/")]
ADMIN = [p for p in ALL if p.regex.startswith("admin/") and "logout" not in p.regex]
EXAMPLES = int(os.environ.get("BOJU_FUZZ_EXAMPLES", "6"))  # x ~100 patterns: ~600 requests


@pytest.fixture
def world():
    """Made once per test, not per example: the examples share it (and what they changed)."""
    return world_create()


def _query(draw) -> dict:
    names = draw(st.lists(st.sampled_from(PARAM_NAMES), max_size=3, unique=True))
    return {name: draw(hostile_text()) for name in names}


def _send(client: Client, method: str, path: str, query: dict, body):
    if method == "GET":
        return client.get(path, query)
    if method == "POST_FORM":
        return client.post(path + ("?" + "&".join(f"{k}=x" for k in query) if query else ""), body)
    if method == "POST_JSON":
        return client.post(
            path,
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer " + "x" * 20 if "/api/" in path else "",
        )
    raise AssertionError(method)


# No shrinking: one failing request is reported as it is (shrinking ~100 requests took minutes).
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_url_answers_5xx_to_anything(world, data):
    # Catches: each input in issue 13's list (next=foo, NUL, nested JSON, "²", month overflow)
    # and whatever else of their kind is left; it found none left once they were fixed.
    clients = world_logins(world)
    failures = []
    for pattern in SITE:
        role = data.draw(st.sampled_from(sorted(clients)), label="role")
        method = data.draw(st.sampled_from(["GET", "POST_FORM", "POST_JSON"]), label="method")
        path = data.draw(build_path(pattern, world), label="path")
        query = _query(data.draw)
        if method == "POST_FORM":
            body = data.draw(
                st.dictionaries(st.sampled_from(PARAM_NAMES + pattern.fields), hostile_text(), max_size=4), label="form"
            )
        else:
            body = data.draw(json_bodies(), label="json")
        response = _send(clients[role], method, path, query, body)
        if response.status_code >= 500:
            failures.append((response.status_code, role, method, path, query, str(body)[:200]))
        if role != "anonymous" and not clients[role].session.get("_auth_user_id"):
            clients = world_logins(world)  # it logged out or deleted itself: sign in again
    assert failures == [], failures


@settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_admin_page_answers_5xx(world, data):
    admin = world_logins(world)["superuser"]
    failures = []
    for pattern in ADMIN:
        path = data.draw(build_path(pattern, world), label="path")
        response = admin.get(path, {"q": data.draw(hostile_text())} if pattern.regex.endswith("/\\Z") else {})
        if response.status_code >= 500:
            failures.append((response.status_code, path))
    assert failures == []


def test_every_json_endpoint_refuses_garbage_without_5xx(world):
    """The JSON endpoints by name, with the bodies that broke them: nested, NUL, not JSON, huge."""
    clients = world_logins(world)
    bodies = [
        "[" * 2000 + "]" * 2000,
        '{"code": "\\u0000", "nonce": "\\u0000"}',
        "not json",
        b"\xff\xfe",
        json.dumps({"scans": [{"code": "x"}] * 5}),
        "{}",
        "[]",
        "null",
        '"x"',
        "1e999999",
    ]
    failures = []
    for pattern in SITE:
        if not any(mark in pattern.regex for mark in ("api/", "\\.json", "booths/", "scan")):
            continue
        path = pattern.sample_path(world)
        for role, who in clients.items():
            for body in bodies:
                response = who.post(path, data=body, content_type="application/json")
                if response.status_code >= 500:
                    failures.append((response.status_code, role, path, str(body)[:40]))
    assert failures == []
