"""The inbox, the unread count, the preferences page and the organizers' announcements page.

Thin: writes are in services.py / announcements.py. Every object is looked up among the
viewer's own (a guessed notification id is a 404), and the announcement page asks the
owning app (through the registry) whether the organizer may announce for that event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.inputs import safe_next

from . import announcements as ann
from .kinds import kinds_all
from .models import Announcement, Notification, Preference
from .services import NotificationError, announcement_reach, notification_mark_read, preferences_save, unread_count

PAGE_SIZE = 20


@login_required
@require_GET
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def inbox(request):
    rows = (
        Notification.objects.filter(user=request.user)
        .only("pk", "kind", "title", "body", "url", "created_at", "read_at")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "notifications": page.object_list,
            "unread": unread_count(request.user),
        },
    )


@login_required
@require_GET
def unread(request):
    response = JsonResponse({"unread": unread_count(request.user)})
    response["Cache-Control"] = "no-store"
    return response


def _safe_next(request, fallback: str) -> str:
    # A local path only: a bare word such as "foo" passed the host check and then made
    # redirect() look it up as a URL name: a 500 after the change was saved.
    return safe_next(request) or reverse(fallback)


@login_required
@require_POST
def mark_read(request, pk: int):
    """Mark one notification read, then go where it points (or back to the inbox)."""
    note = Notification.objects.filter(user=request.user, pk=pk).only("pk", "url").first()
    if note is None:
        raise Http404
    notification_mark_read(user=request.user, notification_id=note.pk)
    if request.POST.get("open") and note.url.startswith("/") and not note.url.startswith("//"):
        return redirect(note.url)
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
@require_POST
def mark_all_read(request):
    notification_mark_read(user=request.user)
    messages.success(request, _("已全部标记为已读。"))
    return redirect(_safe_next(request, "notifications:inbox"))


def _kinds_for(user):
    role = getattr(user, "role", "")
    shown = []
    for kind in kinds_all():
        if kind.audience in ("all", role) or (kind.audience == "organizer" and getattr(user, "is_organizer", False)):
            shown.append(kind)
    return shown


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    kinds = _kinds_for(request.user)
    chosen = dict(Preference.objects.filter(user=request.user).values_list("kind", "email"))
    if request.method == "POST":
        preferences_save(
            user=request.user,
            email_by_kind={k.key: f"email:{k.key}" in request.POST for k in kinds if k.email_optional},
        )
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    rows = [{"kind": k, "email": chosen.get(k.key, k.email_default) if k.email_optional else True} for k in kinds]
    return render(request, "notifications/preferences.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_announcements(request, pk: int):
    """The organizer's announcements of one event: send one, see each one's reach."""
    if not ann.may_announce(request.user, "event", pk):
        raise Http404
    info = ann.describe("event", pk) or {}
    segments = ann.segments_for("event")
    form = {"segment": segments[0].key if segments else "", "body": ""}
    status = 200
    if request.method == "POST":
        form = {"segment": request.POST.get("segment", ""), "body": request.POST.get("body", "")}
        try:
            sent = ann.announcement_send(
                actor=request.user, kind="event", target_id=pk, segment=form["segment"], body=form["body"]
            )
        except NotificationError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, _("公告已发送给 %(n)d 人。") % {"n": sent.recipients})
            return redirect("notifications:event_announcements", pk=pk)
    sent_list = list(Announcement.objects.filter(target=f"event:{int(pk)}").select_related("author")[:50])
    reach = announcement_reach([a.pk for a in sent_list])
    labels = {s.key: s.label for s in segments}
    for item in sent_list:
        figures = reach.get(item.pk, {})
        item.read_count = figures.get("read", 0)
        item.emailed_count = figures.get("emailed", 0)
        item.segment_label = labels.get(item.segment, item.segment)
    return render(
        request,
        "notifications/announcements.html",
        {
            # `event` as the console's navigation expects it (it only needs the id).
            "event": {"pk": pk, "title": info.get("title", "")},
            "info": info,
            "segments": segments,
            "form": form,
            "sent": sent_list,
            "limit": ann.BODY_LIMIT,
        },
        status=status,
    )
