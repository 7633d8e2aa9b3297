"""axe-core on every main page, in Chromium, on the demo programme: no critical and no serious
violation, in Chinese and in English, on a phone.

axe-core comes from the npm registry (package.json, pinned; `make test` and .ci/run install it with
`npm ci` into node_modules/, which git ignores). It is injected by the test only; no page loads it.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from checkin.models import Ticket
from events.models import Event, Registration

from .browser_support import ARTIFACTS, PHONE
from .conftest import require
from .liveserver import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


def main_pages() -> dict[str | None, list[str]]:
    """The pages a newcomer meets, by who looks at them (an e-mail; None: not logged in)."""
    candidate = User.objects.get(email="candidate1@boju.local")
    fair = Event.objects.filter(fair__isnull=False).order_by("starts_at").first()
    matchmaking = Event.objects.filter(kind=Event.Kind.MATCHMAKING).order_by("starts_at").first()
    event = Registration.objects.filter(user=candidate, status="confirmed").order_by("event__starts_at").first().event
    ticket = (
        Ticket.objects.filter(registration__user=candidate, registration__status="confirmed").order_by("pk").first()
    )
    from challenges.models import Challenge

    challenge = Challenge.objects.filter(status="published").order_by("pk").first()
    return {
        None: [
            "/",
            reverse("events:detail", args=[event.pk]),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("challenges:list"),
            reverse("challenges:detail", args=[challenge.pk]),
            reverse("programme:latest"),
            reverse("fairs:map", args=[fair.pk]),
        ],
        "candidate1@boju.local": [
            "/",
            reverse("events:my_events"),
            reverse("checkin:ticket", args=[ticket.registration_id]),
            reverse("notifications:inbox"),
            reverse("accounts:profile"),
            reverse("matchmaking:mine", args=[matchmaking.pk]),
            reverse("accounts:data"),
        ],
        "company1@boju.local": [
            reverse("accounts:profile"),
            reverse("matchmaking:company", args=[matchmaking.pk]),
            reverse("challenges:company_list"),
            reverse("fairs:company_home"),
        ],
        "organizer@boju.local": [
            reverse("console:home"),
            reverse("console:event", args=[event.pk]),
            reverse("console:registrations", args=[event.pk]),
            reverse("console:companies"),
            reverse("matchmaking:console", args=[matchmaking.pk]),
            reverse("fairs:console_floor", args=[fair.pk]),
            reverse("checkin:scanner"),
            reverse("checkin:dashboard", args=[event.pk]),
            reverse("programme:console"),
            reverse("challenges:console_list"),
        ],
    }


def run_axe(page, source: str) -> list[dict]:
    page.evaluate(source)
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [v for v in result if v["impact"] in BLOCKING]


def test_no_serious_accessibility_violation_on_the_main_pages(browser, site):
    require(AXE.exists(), "needs axe-core in node_modules/ (npm ci)")
    call_command("load_demo", stdout=io.StringIO())

    source = AXE.read_text()
    found = {}
    for language in ("zh-hans", "en"):
        for email, paths in main_pages().items():
            context = browser.new_context(
                viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True
            )  # axe is injected by the test, never by a page
            cookies = [{"name": "django_language", "value": language, "url": site.url}]
            if email:
                cookies += [
                    {"name": name, "value": value, "url": site.url}
                    for name, value in session_cookie_for(User.objects.get(email=email)).items()
                ]
            context.add_cookies(cookies)
            page = context.new_page()
            for path in paths:
                response = page.goto(site.url + path)
                assert response.status == 200, (email, path, response.status)
                page.wait_for_load_state("networkidle")
                violations = run_axe(page, source)
                if violations:
                    found[f"{language} {email or 'anonymous'} {path}"] = violations
            context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-violations.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
