"""What projects tell people, through notifications: the kinds it declares.

Templates: templates/notifications/email/project_<what>_{subject,body}.txt (owned by projects).
Context: project (title), project_id, status (label), url, team (name), who (display name).
"""

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("project.signed", _("项目签约"), "all"),
    ("project.status", _("项目状态变化"), "all"),
    ("team.joined", _("有人加入了团队"), "candidate"),
]


def kinds_register() -> None:
    from notifications.kinds import kind_register

    for order, (key, label, audience) in enumerate(KINDS, start=80):
        kind_register(key, label=label, audience=audience, order=order)
