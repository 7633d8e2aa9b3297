"""What fairs tells people, through notifications (docs/notifications.md): the kinds it declares.

Templates: templates/notifications/email/booth_<what>_{subject,body}.txt (owned by fairs).
Context: event (title), event_id, booth (code), company (name), url, previous (a move's old booth).
"""

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("booth.requested", _("新的展位预订申请"), "organizer"),
    ("booth.booked", _("展位预订成功"), "company"),
    ("booth.approved", _("展位预订已通过"), "company"),
    ("booth.rejected", _("展位预订未通过"), "company"),
    ("booth.moved", _("展位已调整"), "company"),
    ("booth.cancelled", _("展位预订被取消"), "company"),
]


def kinds_register() -> None:
    from notifications.kinds import kind_register

    for order, (key, label, audience) in enumerate(KINDS, start=50):
        kind_register(key, label=label, audience=audience, order=order)
