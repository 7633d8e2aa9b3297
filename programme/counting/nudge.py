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

# At most this many catch-ups a second per process during a rush (each costs ~6 ms of CPU plus
# ~0.1 ms per new check-in); a check-in still reaches open pages well within a second.
NUDGE_DELAY_S = 0.3
_armed = threading.Event()  # per process: a catch-up of check-ins is already due
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="programme-count")


def catch_up_and_push(sources: tuple[str, ...] = ("checkin", "project")) -> set[int]:
    from ..live import figures_push

    touched = tallies_catch_up(sources)
    for series_id in sorted(touched):
        figures_push(series_id)
    return touched


def nudge_project(**_signal_kwargs) -> None:
    """A project was signed (rare): counted at once, in a worker thread inside a server."""
    loop = server_loop()
    if loop is None:
        catch_up_and_push(("project",))
    else:
        loop.call_soon_threadsafe(loop.run_in_executor, _executor, _run, ("project",))


def nudge(**_signal_kwargs) -> None:
    loop = server_loop()
    if loop is None:
        catch_up_and_push(("checkin",))
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


def _run(sources: tuple[str, ...] = ("checkin",)) -> None:
    close_old_connections()
    try:
        catch_up_and_push(sources)
    except Exception:  # counted on the next nudge, beat run or page view
        logger.exception("programme catch-up failed")
    finally:
        close_old_connections()
