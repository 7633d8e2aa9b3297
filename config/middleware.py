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


class RejectNulMiddleware:
    """400 for a NUL character anywhere in the path, the query or a form field.

    PostgreSQL cannot store NUL in text, so such a value raised deep inside (a 500) wherever it
    reached a query without passing a form field (forms refuse it themselves): a search `q`, a
    scanner's gate, a device name, an announcement body. No legitimate text contains one. JSON
    bodies are checked where they are parsed (config.inputs.json_loads); uploaded files are not
    text and are not looked at. A multipart body is parsed here only for views that would parse
    it anyway (CSRF does, for every view that is not csrf_exempt): a csrf_exempt JSON API reads
    its raw body itself, which parsing it here would forbid.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or self._in(request.GET):
            return self._refuse(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        if request.content_type == "application/x-www-form-urlencoded" or (
            request.content_type == "multipart/form-data" and not getattr(view_func, "csrf_exempt", False)
        ):
            if self._in(request.POST):
                return self._refuse(request)
        return None

    @staticmethod
    def _refuse(request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext

        message = gettext("请求中含有无效字符（NUL），请删除后重试。")
        if request.path.startswith("/api/"):  # the API answers every error as JSON with a code
            return JsonResponse({"code": "invalid_character", "message": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _in(query) -> bool:
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class PersonalNoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response built for a signed-in person.

    A page that read request.user is personal (a ticket with its QR, my data, the inbox, my
    registrations, badges...): no shared cache and no browser history may keep it after logout.
    A page that never looked at the user is not touched (and costs no session query here). The
    pages the issue names are also marked with never_cache in their views, so the rule holds even
    without this middleware; this one catches the pages nobody listed.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        wrapped = getattr(user, "_wrapped", user)
        from django.utils.functional import empty

        if wrapped is not empty and wrapped is not None and getattr(wrapped, "is_authenticated", False):
            from django.utils.cache import add_never_cache_headers, patch_cache_control

            if "no-store" not in response.get("Cache-Control", ""):
                add_never_cache_headers(response)
                patch_cache_control(response, private=True)
        return response


class IdRangeMiddleware:
    """404 for a numeric URL part no row can have (beyond a 64-bit integer).

    Django's `<int:...>` converter takes any number of digits; PostgreSQL answers "no such row"
    for 30 of them, but SQLite (the embedded default) raised OverflowError: a 500. Refused here,
    once, before any view looks it up.
    """

    sync_capable = True
    async_capable = False
    LIMIT = 2**63

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -self.LIMIT <= value < self.LIMIT:
                from django.http import Http404

                raise Http404
        return None
