"""Pages kept whole for signed-out visitors, with each response's own CSRF token put in.

base.html holds forms (the language switch), so even a page that is the same for every
signed-out visitor carries a CSRF token of its own. A page kept for them is rendered with
CSRF_PLACEHOLDER as its token, and each response gets a fresh one in its place, as a page
rendered for it would (programme's public progress page, the fair's booth map).
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "boju-csrf-token-placeholder"


def same_for_every_visitor(request) -> bool:
    """Whether base.html would come out the same as for any anonymous visitor of this URL in this
    language (LocaleMiddleware has chosen it), but for the CSRF token: signed out, no message to
    show (looking does not consume them), no query string (the language form sends the visitor
    back to the full path). A session cookie is read here as the normal path would."""
    return not request.META.get("QUERY_STRING") and not request.user.is_authenticated and not len(get_messages(request))


def with_csrf_token(request, html: str) -> HttpResponse:
    # get_token as {% csrf_token %} would call it: a new masked token each time, and the cookie
    # set (by CsrfViewMiddleware) when the visitor has none yet.
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def shareable(request) -> bool:
    """Whether a page just rendered for this request may be kept for others: not when it holds
    a CSP nonce of this response's own (none today: every script is a file)."""
    return not getattr(request, "csp_nonce", None)
