"""Scale-out, proven on one machine: two app hosts (Linux network namespaces, each running uvicorn
and a Celery worker) behind the nginx site of deploy/, on the shared PostgreSQL and Redis
(tests/operations/cluster.py draws the picture).

One cluster, the scenarios of issue 16 in order: a door scan reaches a dashboard socket held by
the other host; a registration burst through nginx does not oversell; a slow upload does not
stall other requests; a guessed CV URL is refused; then one host is SIGKILLed in the middle of
traffic: nginx routes around it, nothing that was answered is lost, and the dashboard socket
reconnects to the surviving host and reads a fresh snapshot. Slow: 40-70 s (four Django
processes start on two shared cores).
"""

import asyncio
import json
import socket
import time
import uuid

import httpx
import pytest
import websockets
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string

from checkin.models import Checkin
from events.models import Registration

from ..checkin.helpers import open_event, paired_device, ticket_and_code
from ..conftest import require
from ..factories import EventFactory, candidate, organizer, team_member
from ..liveserver import session_cookie_for
from ..liveserver import test_database_url as database_url
from .cluster import Cluster, available

# Test only: which app host answered (nginx's own variable), to pick hosts deliberately.
UPSTREAM_HEADER = "        add_header X-Upstream $upstream_addr always;"


@pytest.fixture
def cluster(postgres, redis_url, tmp_path):
    require(not available(), available() or "cluster")
    queue = f"boju-cluster-{uuid.uuid4().hex[:8]}"
    env = {
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions the test writes must be valid there
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ACCOUNT_EMAIL_VERIFICATION": "optional",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "boju"),
        "DATABASE_POOL_MAX": "4",
        "HTTP_CONCURRENCY_PER_PROCESS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    started = Cluster(env=env, hosts=2, workers=1, folder=tmp_path, extra_location_lines=UPSTREAM_HEADER)
    started.start()
    try:
        yield started
    finally:
        started.stop()


def _register(client: httpx.Client, event_id: int, session_key: str) -> int:
    csrf = _get_new_csrf_string()
    response = client.post(
        f"/events/{event_id}/register/",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"},
    )
    return response.status_code


def _scan(client: httpx.Client, token: str, code: str, nonce: str) -> httpx.Response:
    return client.post(
        "/api/checkin/scan",
        json={"code": code, "gate": "东门", "nonce": nonce},
        headers={"Authorization": f"Bearer {token}"},
    )


async def _dashboard_connect(ws_url: str, event_id: int, cookie: str, origin: str):
    socket_ = await websockets.connect(
        f"{ws_url}/ws/live/?topics=event.{event_id}.staff", additional_headers={"Origin": origin, "Cookie": cookie}
    )
    hello = json.loads(await asyncio.wait_for(socket_.recv(), 10))
    assert hello["type"] == "hello", hello
    return socket_, socket_.response.headers.get("X-Upstream")


async def _next_scan_message(socket_, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(socket_.recv(), deadline - time.monotonic())
        payload = json.loads(raw).get("payload") or {}
        if payload.get("type") == "checkin.scans":
            return payload
    raise AssertionError("no scan on the dashboard")


def _slowest_answer_during_slow_uploads(port: int, client: httpx.Client) -> float:
    """Four uploads dribbling in; the slowest of a few /healthz meanwhile (2 s = timed out)."""
    slow, slowest = [], 0.0
    for _ in range(4):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /me/profile/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 200000\r\n\r\n" + b"x" * 1000
        )
        slow.append(sock)
    try:
        for _ in range(3):
            time.sleep(0.3)
            for sock in slow:
                sock.sendall(b"x" * 100)
            started = time.monotonic()
            try:
                assert client.get("/healthz").status_code == 200
                slowest = max(slowest, time.monotonic() - started)
            except httpx.TimeoutException:
                slowest = 2.0
    finally:
        for sock in slow:
            sock.close()
    return slowest


def test_two_hosts_behind_nginx(cluster, tmp_path):
    boss = organizer()
    door = open_event(title="百所高校千名博士青岛行")
    team_member(door, boss)
    _device, token = paired_device(boss, [door])
    tickets = [ticket_and_code(door) for _ in range(30)]
    cookie = "; ".join(f"{k}={v}" for k, v in session_cookie_for(boss).items())
    web = httpx.Client(base_url=cluster.url, timeout=30)

    async def scan_reaches_the_other_host():
        dashboard, dashboard_host = await _dashboard_connect(cluster.ws_url, door.pk, cookie, cluster.url)
        assert dashboard_host in {h.upstream for h in cluster.hosts}
        # Round robin: within a few scans one is answered by the other host.
        for used, (_ticket, code) in enumerate(tickets[:4], start=1):
            nonce = uuid.uuid4().hex
            response = await asyncio.to_thread(_scan, web, token, code, nonce)
            assert response.status_code == 200 and response.json()["result"] == "ok", response.text
            message = await _next_scan_message(dashboard)
            assert [row["nonce"].rsplit(":", 1)[-1] for row in message["scans"]] == [nonce], message
            if response.headers["X-Upstream"] != dashboard_host:
                await dashboard.close()
                return used
        raise AssertionError("nginx never sent a scan to the other host")

    scanned = asyncio.run(scan_reaches_the_other_host())

    # Registrations through nginx, 40 people for 15 seats, 8 at a time over both hosts.
    burst = EventFactory(capacity=15, title="院士面对面")
    people = [candidate() for _ in range(40)]
    keys = [session_cookie_for(p)[settings.SESSION_COOKIE_NAME] for p in people]

    async def register_all():
        semaphore = asyncio.Semaphore(8)

        async def one(key):
            async with semaphore:
                return await asyncio.to_thread(_register, web, burst.pk, key)

        return await asyncio.gather(*(one(k) for k in keys))

    statuses = asyncio.run(register_all())
    assert statuses.count(302) == 40, statuses
    counts = {s: Registration.objects.filter(event=burst, status=s).count() for s in ("confirmed", "waitlisted")}
    assert counts == {"confirmed": 15, "waitlisted": 25}

    # A guessed CV URL under /media/ is refused by nginx, whether or not such a file exists.
    (tmp_path / "media" / "cv").mkdir(parents=True, exist_ok=True)
    (tmp_path / "media" / "cv" / "guess.pdf").write_bytes(b"%PDF secret")
    for path in ("/media/cv/guess.pdf", "/media/private/cv/a1b2.pdf", "/media/../private/cv/a1b2.pdf"):
        assert web.get(path).status_code in (400, 404), path
    assert "%PDF" not in web.get("/media/cv/guess.pdf").text
    # /metrics is not served through the proxy.
    assert web.get("/metrics").status_code == 404

    # Slow uploads: four clients dribble a 200 kB body (more uploads than the 2 request slots
    # of the cluster). nginx holds them; other requests are answered at once meanwhile.
    assert _slowest_answer_during_slow_uploads(cluster.port, web) < 1.0
    # Negative control: the same nginx without request buffering passes the uploads on as they
    # come, they take both slots, and the other requests wait.
    unbuffered, port = cluster.extra_nginx(
        lambda site: site.replace("proxy_request_buffering on;", "proxy_request_buffering off;")
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as other:
            assert _slowest_answer_during_slow_uploads(port, other) >= 2.0
    finally:
        unbuffered.terminate()
        unbuffered.wait(timeout=10)

    # One host dies under traffic. Registrations and scans keep coming through nginx; a request
    # that fails (one in flight on the dead host) is retried by its client, as a phone would.
    after = EventFactory(capacity=20, title="政解博策")
    people = [candidate() for _ in range(30)]
    keys = [session_cookie_for(p)[settings.SESSION_COOKIE_NAME] for p in people]
    remaining_tickets = tickets[scanned:]
    failures = {"registration": 0, "scan": 0}

    async def traffic_with_a_kill():
        dashboard, dashboard_host = await _dashboard_connect(cluster.ws_url, door.pk, cookie, cluster.url)
        victim = next(h for h in cluster.hosts if h.upstream == dashboard_host)
        survivor = next(h for h in cluster.hosts if h is not victim)

        async def register(key):
            for _attempt in range(3):
                status = await asyncio.to_thread(_register, web, after.pk, key)
                if status == 302:
                    return status
                failures["registration"] += 1
            return status

        async def scan(code):
            nonce = uuid.uuid4().hex  # the same nonce on a retry: a retry is harmless
            for _attempt in range(3):
                response = await asyncio.to_thread(_scan, web, token, code, nonce)
                if response.status_code == 200:
                    return response.json()["result"]
                failures["scan"] += 1
            return response.status_code

        async def killer():
            await asyncio.sleep(0.3)
            await asyncio.to_thread(victim.kill)

        semaphore = asyncio.Semaphore(6)

        async def limited(coroutine):
            async with semaphore:
                return await coroutine

        results = await asyncio.gather(
            killer(), *(limited(register(k)) for k in keys), *(limited(scan(code)) for _t, code in remaining_tickets)
        )
        # The dashboard's socket was on the dead host: it is closed, and a reconnect through
        # nginx reaches the survivor, which answers with a fresh snapshot.
        try:
            await asyncio.wait_for(dashboard.wait_closed(), 10)
        finally:
            await dashboard.close()
        again, again_host = await _dashboard_connect(cluster.ws_url, door.pk, cookie, cluster.url)
        await again.close()
        assert again_host.endswith(survivor.upstream)  # "dead, survivor" if nginx tried the dead one first
        return results[1:], survivor

    results, survivor = asyncio.run(traffic_with_a_kill())
    registration_results, scan_results = results[: len(keys)], results[len(keys) :]
    assert registration_results == [302] * len(keys), (registration_results, failures)
    assert scan_results == ["ok"] * len(remaining_tickets), (scan_results, failures)
    # At most the requests in flight on the dead host failed (6 at a time at most).
    assert failures["registration"] + failures["scan"] <= 6, failures
    # Nothing answered was lost, nothing oversold, everyone exactly once.
    assert Registration.objects.filter(event=after).count() == 30
    assert Registration.objects.filter(event=after, status="confirmed").count() == 20
    assert Checkin.objects.filter(ticket__event=door).count() == len(tickets)
    snapshot = web.get(f"/console/events/{door.pk}/checkin/live.json", headers={"Cookie": cookie})
    assert snapshot.status_code == 200 and snapshot.headers["X-Upstream"].endswith(survivor.upstream)
    assert snapshot.json()["checked_in"] == len(tickets)
    # nginx keeps routing around the dead host (passive health check): all lands on the survivor.
    for _ in range(6):
        response = web.get("/healthz")
        assert response.status_code == 200 and response.headers["X-Upstream"] == survivor.upstream
    web.close()
