from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from . import announcements  # noqa: F401  (registers the live topic kind "notice")
        from .kinds import kind_register

        # Announcements are this app's own feature; every other kind is declared by its app.
        kind_register("announcement", label=_("主办方公告"), email_default=True, audience="all", order=40)

        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_close_sockets_of_session, dispatch_uid="notifications.logout_closes_sockets")

        # services and the outbox hand work to these tasks by name (queue.py): register them here.
        from . import tasks  # noqa: F401
        from .models import OutboxMessage
        from .outbox import outbox_handler_register
        from .services import notice_deliver, notices_deliver

        outbox_handler_register(OutboxMessage.Kind.NOTICE, notice_deliver, many=notices_deliver)


def _close_sockets_of_session(sender, request, user, **kwargs):
    """A socket opened before logout kept receiving the inbox: it is closed now (issue 13)."""
    if user is None or user.pk is None or request is None:  # pk None: the account was just deleted
        return
    from . import live

    live.access_changed(user.pk, logged_out_session=live.session_tag(request.session.session_key))
