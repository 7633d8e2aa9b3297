"""Count soon after something countable happened, and push the public figures.

Check-ins announce themselves (checkin.signals.checkins_recorded, sent after commit by the
Django service and by the door's fast lane, on its event loop) and so do projects
(projects.signals.project_changed). Inside an ASGI server a nudge only arms a timer on the
server's loop: the catch-up runs NUDGE_DELAY_S later in this process's one counting thread,
so a rush of 500 scans a second costs a few catch-ups a second, not 500, and the door's
request never waits for it. Outside a server (commands, Celery, tests) it runs at once.
A missed nudge costs nothing but time: Celery beat catches up every few seconds and a stale
page view does too.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections

from notifications.live import server_loop

from .catch_up import tallies_catch_up

logger = logging.getLogger(__name__)

NUDGE_DELAY_S = 0.15
_armed = threading.Event()  # per process: a catch-up is already due
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="programme-count")


def catch_up_and_push() -> set[int]:
    from ..live import figures_push

    touched = tallies_catch_up()
    for series_id in sorted(touched):
        figures_push(series_id)
    return touched


def nudge(**_signal_kwargs) -> None:
    loop = server_loop()
    if loop is None:
        catch_up_and_push()
        return
    if _armed.is_set():  # a run is due and will see this check-in (it was committed first)
        return
    loop.call_soon_threadsafe(_arm, loop)


def _arm(loop) -> None:
    if _armed.is_set():
        return
    _armed.set()
    loop.call_later(NUDGE_DELAY_S, _fire, loop)


def _fire(loop) -> None:
    _armed.clear()  # from now on a new check-in arms the next run
    loop.run_in_executor(_executor, _run)


def _run() -> None:
    close_old_connections()
    try:
        catch_up_and_push()
    except Exception:  # counted on the next nudge, beat run or page view
        logger.exception("programme catch-up failed")
    finally:
        close_old_connections()
