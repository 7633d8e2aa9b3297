"""What the programme tells people, through notifications.

Templates: templates/notifications/email/outcome_<what>_{subject,body}.txt (owned by programme).
Context: kind (label), company (name), url.
"""

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("outcome.confirm", _("请确认单位报告的录用"), "candidate"),
    ("outcome.reviewed", _("成果审核结果"), "all"),
]


def kinds_register() -> None:
    from notifications.kinds import kind_register

    for order, (key, label, audience) in enumerate(KINDS, start=90):
        kind_register(key, label=label, audience=audience, order=order)
