"""notify_later inside an ASGI server: the notices of a burst reach Celery as one batch task;
outside a server each goes at once. Each notice is an outbox row written with its cause (see
tests/notifications/test_outbox.py for what that buys). The old batch task (messages queued
before the outbox) still tells everyone even if one notice fails."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from accounts.models import User
from notifications import services, tasks
from notifications.models import Notification, OutboxMessage
from tests.factories import candidate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch):
    calls = {"single": [], "batch": []}
    monkeypatch.setattr(tasks.outbox_deliver_task, "delay", lambda *args: calls["single"].append(args))
    monkeypatch.setattr(tasks.outbox_deliver_batch, "apply_async",
                        lambda args, **options: calls["batch"].append((args[0], options)))
    return calls


def _three_commits(user_ids):
    for user_id in user_ids:
        with transaction.atomic():
            services.notify_later(user_ids=[user_id], kind="announcement", context={"title": f"t{user_id}"})


async def test_a_burst_inside_the_server_goes_as_one_batch(sent):
    users = await sync_to_async(lambda: [candidate().pk for _ in range(3)])()
    # sync_to_async is how Django runs a view under ASGI: the loop is then the server's loop.
    await sync_to_async(_three_commits)(users)
    assert sent == {"single": [], "batch": []}  # waiting in the process, not lost
    await asyncio.sleep(services.NOTICE_BATCH_WINDOW_S * 4)
    assert sent["single"] == []
    [(items, options)] = sent["batch"]
    rows = await sync_to_async(lambda: list(OutboxMessage.objects.order_by("pk").values_list("pk", "payload")))()
    assert items == [pk for pk, _payload in rows]
    assert [payload["user_ids"] for _pk, payload in rows] == [[u] for u in users]
    assert options["argsrepr"] == "(3 messages)"


def test_outside_a_server_each_notice_goes_at_once(sent):
    users = [candidate().pk for _ in range(2)]
    _three_commits(users)
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [args[0] for args in sent["single"]] == [row.pk for row in rows]
    assert [row.payload["user_ids"] for row in rows] == [[u] for u in users]
    assert sent["batch"] == []


def test_a_rolled_back_notice_is_never_sent(sent):
    user = candidate()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify_later(user_ids=[user.pk], kind="announcement", context={"title": "x"})
        raise RuntimeError("rolled back")
    assert sent == {"single": [], "batch": []}
    assert not OutboxMessage.objects.exists()


def test_the_batch_task_tells_everyone_and_survives_a_bad_notice():
    first, second = candidate(), candidate()
    items = [[[first.pk], "announcement", {"title": "一", "body": "b"}],
             [[first.pk], "no.such.kind", {}],
             [[second.pk], "announcement", {"title": "二", "body": "b"}]]
    assert tasks.notify_batch_task(items) == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == {first.pk, second.pk}
    assert User.objects.count() == 2
