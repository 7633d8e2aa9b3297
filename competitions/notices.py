"""What competitions tells people, through notifications: the kinds it declares.

Templates: templates/notifications/email/competition_<what>_{subject,body}.txt (owned by competitions).
Context: entry (title), competition (title), event_id, round (name), rank, award (label), url.
"""

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("competition.entry_received", _("参赛报名已收到"), "candidate"),
    ("competition.advanced", _("项目晋级"), "candidate"),
    ("competition.not_advanced", _("项目未晋级"), "candidate"),
    ("competition.final_result", _("决赛结果"), "candidate"),
    ("competition.awarded", _("大赛获奖"), "candidate"),
    ("competition.judging_assigned", _("评审任务已分配"), "all"),
]


def kinds_register() -> None:
    from notifications.kinds import kind_register

    for order, (key, label, audience) in enumerate(KINDS, start=90):
        kind_register(key, label=label, audience=audience, order=order)
