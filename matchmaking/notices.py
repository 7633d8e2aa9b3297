"""What matchmaking tells people, through notifications: the kinds it declares.

Templates: templates/notifications/email/meeting_<what>_{subject,body}.txt (owned by matchmaking).
Context: event, event_id, company, candidate, when (local time), table, meeting_id, url, previous.
"""

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("meeting.requested", _("新的洽谈预约"), "all"),
    ("meeting.accepted", _("洽谈预约已被接受"), "all"),
    ("meeting.confirmed", _("洽谈已确认"), "all"),
    ("meeting.declined", _("洽谈预约被婉拒"), "all"),
    ("meeting.lapsed", _("洽谈预约已失效"), "all"),
    ("meeting.scheduled", _("已为您安排洽谈"), "all"),
    ("meeting.changed", _("洽谈时间或地点有变"), "all"),
    ("meeting.cancelled", _("洽谈已取消"), "all"),
    ("reminder.meeting", _("洽谈提醒"), "all"),
]
# The kinds whose e-mail carries the meeting as an .ics.
ICS_KINDS = ["meeting.accepted", "meeting.confirmed", "meeting.scheduled", "meeting.changed", "meeting.cancelled"]


def kinds_register() -> None:
    from notifications.kinds import kind_register

    for order, (key, label, audience) in enumerate(KINDS, start=70):
        kind_register(key, label=label, audience=audience, order=order)
