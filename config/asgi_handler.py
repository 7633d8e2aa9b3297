"""Django's ASGI handler with the whole request (middleware and view) in one thread hop.

Stock ASGIHandler loads the middleware in async mode. With WhiteNoise and this project's own
middleware sync only, Django then hops to a thread for the middleware chain, back to the event
loop for the inner handler (async_to_sync), and to a thread again for the view: each hop is a
future chained across threads, a wake-up of the loop and a GIL hand-over. Profiling a
registration burst with py-spy (bench/registration_burst.py --profile) put about a fifth of
the workers' CPU in those hand-overs (asgiref's AsyncToSync, futures' _call_set_state,
Condition.notify, ThreadPoolExecutor.submit).

Here the chain is loaded in sync mode, as under WSGI, and the async entry point runs it with
one sync_to_async call: the middleware and the view run in the same thread, the one Django
gives the request (thread_sensitive, so database connections are opened and returned there as
before). There are no async views in the project; one would still work (Django wraps it in
async_to_sync, as it does under WSGI), at the cost of a hop.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_one_hop_asgi_application() -> OneHopASGIHandler:
    """What django.core.asgi.get_asgi_application() does, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
