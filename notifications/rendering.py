"""Turning a kind and its plain-data context into words, in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist, engines
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

from .attachments import attachments_for
from .kinds import kind_get


def site_url() -> str:
    return getattr(settings, "BOJU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return site_url() + (url if url.startswith("/") else "/" + url)


def render_text(name: str, data: dict) -> str:
    """A plain-text template, without HTML escaping (a name with "&" must stay "&" in a subject)."""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(data, autoescape=False))


def _template_context(context: dict, *, user=None) -> dict:
    return {**context, "recipient": user, "site_url": site_url(), "link": absolute(context.get("url", ""))}


def render_message(kind_key: str, context: dict, *, language: str, user=None) -> tuple[str, str]:
    """(title, body) of a notification in `language`: the inbox shows them, the e-mail wraps them."""
    kind = kind_get(kind_key)
    data = _template_context(context, user=user)
    with translation.override(language):
        title = " ".join(render_text(f"{kind.template_base}_subject.txt", data).split())
        body = render_text(f"{kind.template_base}_body.txt", data).strip()
    return title[:200], body


def build_email(notification) -> EmailMultiAlternatives:
    """The e-mail of a notification: subject, plain text, HTML and every attachment.

    Attachments come from providers other apps registered for the kind (the ticket QR from
    checkin, the event's .ics from events), given only the user id and the plain context.
    """
    user = notification.user
    kind = kind_get(notification.kind)
    data = _template_context(notification.context, user=user)
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            body_html = get_template(f"{kind.template_base}_body.html").render(data)
        except TemplateDoesNotExist:
            # Escaped, links made clickable, paragraphs kept; safe only after all of that.
            body_html = mark_safe(
                linebreaks(urlize(notification.body, nofollow=True, autoescape=True), autoescape=False)
            )
        wrapper = {
            **data,
            "title": notification.title,
            "body": notification.body,
            "body_html": body_html,
            "language": language,
            "preferences_url": absolute("/me/notifications/preferences/"),
        }
        subject_prefix = str(getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", ""))
        text = render_text("notifications/email/base.txt", wrapper)
        html = render_to_string("notifications/email/base.html", wrapper)
        subject = f"{subject_prefix}{notification.title}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "X-Boju-Notification": str(notification.pk),
            "X-Boju-Kind": notification.kind,
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments_for(
        notification.kind, user_id=user.pk, context=notification.context
    ):
        message.attach(filename, content, mimetype)
    return message
