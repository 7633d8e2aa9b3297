"""The authorisation and privacy gaps of issue 13, each closed and proven."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from accounts.models import AuditEntry, Company, User
from accounts.services import AccountError, company_verify

from ..checkin.helpers import open_event, paired_device, ticket_and_code
from ..factories import (
    CompanyFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    candidate,
    organizer,
    team_member,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Qingdao-Haibo-2026"


# --- admin ------------------------------------------------------------------------------------


def test_admin_login_goes_through_the_rate_limited_site_login(client):
    # Catches: /admin/login/ checked passwords itself, without a rate limit (15 wrong, then right, got in).
    staff = UserFactory(is_staff=True, is_superuser=True, role="organizer")
    staff.set_password(PASSWORD)
    staff.save()
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session  # the admin form no longer signs anyone in
    for _ in range(6):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong-password"})
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # the right password after 6 wrong ones: still refused


def test_the_audit_trail_cannot_be_deleted_in_the_admin(client):
    # Catches: AuditEntryAdmin allowed delete (single and the bulk action) to superusers.
    root = UserFactory(is_staff=True, is_superuser=True, role="organizer")
    entry = AuditEntry.objects.create(action="registration.create")
    client.force_login(root)
    assert client.get(f"/admin/accounts/auditentry/{entry.pk}/delete/").status_code == 403
    response = client.post("/admin/accounts/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert response.status_code in (200, 302)


def test_nobody_grants_themselves_superuser_in_the_admin():
    # Catches: a staff user allowed to change users could tick is_superuser on their own account.
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True, role="organizer")
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename__endswith="user")
    )
    staff = User.objects.get(pk=staff.pk)
    user_admin = admin.site._registry[User]
    request = RequestFactory().post("/admin/")
    request.user = staff
    assert {"is_superuser", "is_staff", "user_permissions", "groups"} <= set(
        user_admin.get_readonly_fields(request, staff)
    )
    staff.is_superuser = True
    with pytest.raises(PermissionDenied):
        user_admin.save_model(request, staff, None, True)
    assert User.objects.get(pk=staff.pk).is_superuser is False
    request.user = User.objects.get(pk=staff.pk)  # as stored: not a superuser
    other = UserFactory()
    other.is_superuser = True
    with pytest.raises(PermissionDenied):  # nor anyone else, unless they are a superuser
        user_admin.save_model(request, other, None, True)
    root = UserFactory(is_staff=True, is_superuser=True, role="organizer")
    request.user = root
    assert "is_superuser" in user_admin.get_readonly_fields(request, root)  # not even a superuser on themselves
    assert "is_superuser" not in user_admin.get_readonly_fields(request, other)


# --- company verification -----------------------------------------------------------------------


def test_only_head_office_verifies_companies(client):
    # Catches: an organizer scoped to some events (the demo partner) could verify or reject any
    # company and saw every company's members' e-mail addresses.
    company = CompanyFactory(status=Company.Status.PENDING)
    partner = organizer()
    team_member(EventFactory(), partner)
    client.force_login(partner)
    assert client.get("/console/companies/").status_code == 403
    assert client.post(f"/console/companies/{company.pk}/verify/").status_code == 403
    with pytest.raises(AccountError) as refused:
        company_verify(company=company, actor=partner)
    assert refused.value.code == "forbidden"
    head = organizer(manages_all=True)
    client.force_login(head)
    assert client.get("/console/companies/").status_code == 200
    assert client.post(f"/console/companies/{company.pk}/verify/").status_code == 302
    assert Company.objects.get(pk=company.pk).status == Company.Status.VERIFIED


# --- Cache-Control ------------------------------------------------------------------------------


def test_personal_pages_are_no_store(client):
    # Catches: the ticket with its QR, my data, the inbox, my registrations, badges and the
    # offline bundle could be kept by a shared cache or the browser after logout.
    event = open_event()
    boss = organizer()
    team_member(event, boss)
    person = candidate()
    registration = RegistrationFactory(event=event, user=person, status="confirmed")
    ticket, _code = ticket_and_code(event)
    from checkin.tickets import ticket_for_registration

    ticket_for_registration(registration)
    client.force_login(person)
    for url in (
        f"/checkin/tickets/{registration.pk}/",
        f"/checkin/tickets/{registration.pk}/ticket.png",
        "/me/data/",
        "/inbox/",
        "/my/events/",
        "/me/profile/",
        "/fairs/visits/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    client.force_login(boss)
    badges = client.get(f"/console/events/{event.pk}/checkin/badges/")
    assert badges.status_code == 200 and "no-store" in badges["Cache-Control"]
    _device, token = paired_device(boss, [event])
    bundle = client.get(f"/api/checkin/offline?event={event.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bundle.status_code == 200 and "no-store" in bundle["Cache-Control"]
    assert ticket.pk  # another person's ticket exists; it is not the point here


def test_a_public_page_is_not_marked_personal(client):
    EventFactory()
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    client.force_login(candidate())
    assert "no-store" in client.get("/")["Cache-Control"]  # the same page, built for a signed-in person


# --- Content-Security-Policy ------------------------------------------------------------------


def test_pages_carry_a_csp_that_allows_only_own_scripts(client):
    # Catches: no Content-Security-Policy at all, so an injected inline script would have run.
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_no_template_has_inline_scripts_or_handlers():
    """Each would be blocked by script-src 'self': code lives in static/js, data in
    <script type="application/json">."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and "application/json" not in match.group(1):
                offenders.append(f"{template.relative_to(root)}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{template.relative_to(root)}: {match.group(0)}")
        if "javascript:" in text:
            offenders.append(f"{template.relative_to(root)}: javascript:")
    assert offenders == []


# --- WebSocket permissions after a change -----------------------------------------------------


def _socket(user, session_key=None, topics=""):
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from notifications.routing import websocket_urlpatterns

    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/live/?topics={topics}")
    communicator.scope["user"] = user
    if session_key:
        from django.contrib.sessions.backends.db import SessionStore

        communicator.scope["session"] = SessionStore(session_key=session_key)
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_partner_removed_from_the_team_stops_hearing_the_staff_topic():
    # Catches: permission was checked once, at connect; the removed partner kept receiving
    # attendee names on event.<id>.staff.
    from asgiref.sync import sync_to_async

    from events.services import team_member_set
    from notifications import live

    event, boss, partner = await sync_to_async(lambda: (EventFactory(), organizer(), organizer()))()
    await sync_to_async(lambda: (team_member(event, boss), team_member(event, partner)))()
    staff_topic = live.group_event_staff(event.pk)
    socket = _socket(partner, topics=staff_topic)
    assert (await socket.connect())[0]
    assert staff_topic in (await socket.receive_json_from())["topics"]
    await sync_to_async(
        lambda: team_member_set(event=event, actor=boss, member=partner, can_edit=False, can_scan=False)
    )()
    assert await socket.receive_json_from(timeout=5) == {"type": "revoked", "topic": staff_topic}
    await sync_to_async(live.publish)(staff_topic, {"type": "checkin.scans", "names": ["甄小慧"]})
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_logout_closes_the_sockets_of_that_session_only():
    # Catches: a socket opened before logout kept receiving the inbox.
    from asgiref.sync import sync_to_async
    from django.contrib.auth import logout
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from notifications import live

    person = await sync_to_async(candidate)()

    def new_session():
        store = SessionStore()
        store.create()
        return store.session_key

    here, elsewhere = await sync_to_async(new_session)(), await sync_to_async(new_session)()
    inbox = live.group_inbox(person.pk)
    this_tab, other_device = _socket(person, here, inbox), _socket(person, elsewhere, inbox)
    for socket in (this_tab, other_device):
        assert (await socket.connect())[0]
        await socket.receive_json_from()

    def log_out():
        request = RequestFactory().post("/accounts/logout/")
        request.session = SessionStore(session_key=here)
        request.user = person
        logout(request)

    await sync_to_async(log_out)()
    assert (await this_tab.receive_output(timeout=5))["type"] == "websocket.close"
    assert await other_device.receive_nothing(timeout=0.5)  # another device stays signed in
    await other_device.disconnect()
