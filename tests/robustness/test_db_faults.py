"""A PostgreSQL connection lost under a request (what a restart does to every kept or pooled
connection): idempotent reads and the scan endpoint are retried once on a fresh connection;
anything else answers 503 with a translated "try again", never a 500.

The connection is cut with pg_terminate_backend() on the test's own backend: the shared
PostgreSQL server is never restarted.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from checkin.models import Checkin
from config.dbfaults import server_error
from events.models import Registration

from ..checkin.helpers import nonce, open_event, paired_device, ticket_and_code
from ..factories import EventFactory, candidate, organizer, team_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dead_connection(postgres):
    """Call it to kill this thread's PostgreSQL connection, kept as a pooled/persistent one
    would be (CONN_MAX_AGE=None, no health check), so the next request gets the dead one."""

    def kill():
        connection.ensure_connection()
        connection.close_at = None
        connection.health_check_enabled = False
        pid = connection.connection.info.backend_pid
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    def keep_across_requests(**kwargs):
        pass

    from django.core import signals
    from django.db import close_old_connections

    # Django closes connections at the start and end of each request only when they are too
    # old or broken; keep it from noticing, as with a pool handing out a dead connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield kill
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    connection.close()


def test_a_read_on_a_dead_connection_is_retried_once(client, dead_connection):
    # Catches: the first request on each dead connection answered 500 after a PostgreSQL restart.
    person = candidate()
    client.force_login(person)
    dead_connection()
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200


def test_a_write_on_a_dead_connection_answers_503_try_again(client, dead_connection):
    person = candidate()
    event = EventFactory(capacity=5)
    client.force_login(person)
    dead_connection()
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "请稍后重试" in response.content.decode()
    assert not Registration.objects.filter(user=person).exists()  # nothing half done
    assert client.post(reverse("events:register", args=[event.pk])).status_code == 302  # and again works


def test_a_scan_on_a_dead_connection_is_retried_and_counted_once(client, dead_connection):
    event = open_event()
    staff = organizer()
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    ticket, code = ticket_and_code(event)
    dead_connection()
    response = client.post(
        "/api/checkin/scan",
        data=json.dumps({"code": code, "gate": "东门", "nonce": nonce()}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (response.status_code, response.json()["result"]) == (200, "ok")
    assert Checkin.objects.filter(ticket=ticket).count() == 1


def test_an_api_write_that_fails_twice_answers_json_503(client, dead_connection, monkeypatch):
    from checkin.views import api

    def always_down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(api, "device_pair", always_down)
    response = client.post("/api/checkin/pair", data=json.dumps({"code": "ABCD-1234"}), content_type="application/json")
    assert response.status_code == 503
    assert response.json() == {
        "result": "unavailable",
        "message": "服务暂时不可用（数据库连接中断），请稍后重试。您的操作可能没有保存，请刷新页面确认。",
    }


def test_a_database_error_outside_any_view_is_a_503_not_a_500():
    """handler500: e.g. the session save in a middleware, after the view."""
    request = RequestFactory().get("/inbox/")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
