"""Keep Django's whole middleware chain on one thread per request under ASGI.

Django adapts each middleware to the mode of the handler below it. With only async-capable
middleware below WhiteNoise (which is sync only), Django runs those in async mode, and each of
them (MiddlewareMixin) then hops to a worker thread and back for process_request and again for
process_response: about twenty thread switches per request, each a trip through the event
loop and the GIL. Under a registration burst that overhead was a large share of the CPU.
Being sync only and innermost, this middleware makes Django pick sync mode for every
middleware: the chain runs in one thread, with one switch to the view (see
BaseHandler.load_middleware). It does nothing else.
"""

from __future__ import annotations


class SyncMiddlewareChain:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
