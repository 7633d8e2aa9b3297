"""Django's ASGI handler with the whole request (middleware and view) in one thread hop, on a
thread kept from one request to the next.

One hop. Stock ASGIHandler loads the middleware in async mode. With WhiteNoise and this
project's own middleware sync only, Django then hops to a thread for the middleware chain, back
to the event loop for the inner handler (async_to_sync), and to a thread again for the view:
each hop is a future chained across threads, a wake-up of the loop and a GIL hand-over.
Profiling a registration burst with py-spy (bench/registration_burst.py --profile) put about a
fifth of the workers' CPU in those hand-overs (asgiref's AsyncToSync, futures' _call_set_state,
Condition.notify, ThreadPoolExecutor.submit). Here the chain is loaded in sync mode, as under
WSGI, and the async entry point runs it with one sync_to_async call: the middleware and the view
run in the same thread, the one Django gives the request (thread_sensitive, so database
connections are opened and returned there as before). There are no async views in the project;
one would still work (Django wraps it in async_to_sync, as it does under WSGI), at the cost of
a hop.

A kept thread. Stock ASGIHandler wraps each request in a new ThreadSensitiveContext, whose
first sync call creates a ThreadPoolExecutor, that is a new OS thread, and whose exit joins and
discards it: a thread start and a join per request (py-spy: Thread.start, submit's
_adjust_thread_count and shutdown, about 4% of a registration burst's CPU). Here each request
borrows a one-thread executor from a per-process stack and gives it back when it is done
(asgiref's ThreadSensitiveContext(executor=...), whose caller owns the executor). Every sync
call of one request still runs on one thread, and concurrent requests still run on different
threads. An executor still busy when its request ends (the ASGI task was cancelled while the
view ran: the thread cannot be stopped) is not given back: it finishes its work and its thread
exits, so no later request queues behind it. Database connections stay what they were: Django
closes (or returns to the pool) a thread's connection at the end of each request.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

# Idle threads a process keeps; more can run at once (one per request in flight), the extra
# ones exit when their request ends. HTTP_CONCURRENCY_PER_PROCESS usually bounds it far lower.
IDLE_THREADS_MAX = 32


class RequestExecutor(ThreadPoolExecutor):
    """One thread; remembers its last piece of work, so the handler can tell whether it is idle."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="django-request")
        self._last = None

    def submit(self, fn, /, *args, **kwargs):
        self._last = future = super().submit(fn, *args, **kwargs)
        return future

    def idle(self) -> bool:
        # One worker, first in first out: when the last piece is done, everything before it is.
        return self._last is None or self._last.done()


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.idle_executors: list[RequestExecutor] = []  # used on the event loop's thread only

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.idle_executors.pop() if self.idle_executors else RequestExecutor()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            if executor.idle() and len(self.idle_executors) < IDLE_THREADS_MAX:
                self.idle_executors.append(executor)
            else:
                executor.shutdown(wait=False)  # its thread exits once its work is done

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_one_hop_asgi_application() -> OneHopASGIHandler:
    """What django.core.asgi.get_asgi_application() does, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
