"""What challenges tell people, through notifications: the kinds it declares, and the deadline
reminders (24 h and 2 h before) for the candidates who follow a challenge and have not applied.

Templates: templates/notifications/email/challenge_<what>_{subject,body}.txt (owned by challenges).
Context: challenge (title), challenge_id, company (name), url, target; team (name); reason (a
return); when, place, note (an invitation to present).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("challenge.submitted", _("企业难题待审核"), "organizer"),
    ("challenge.approved", _("企业难题审核通过"), "company"),
    ("challenge.returned", _("企业难题被退回"), "company"),
    ("challenge.published", _("企业难题已发布"), "company"),
    ("challenge.application", _("收到揭榜申请"), "company"),
    ("challenge.new", _("关注领域有新的企业难题"), "candidate"),
    ("challenge.deadline", _("揭榜即将截止"), "candidate"),
    ("challenge.shortlisted", _("揭榜申请入围"), "candidate"),
    ("challenge.invited", _("受邀路演答辩"), "candidate"),
    ("challenge.selected", _("揭榜成功"), "candidate"),
    ("challenge.not_selected", _("揭榜结果通知"), "candidate"),
]


def kinds_register() -> None:
    from notifications.kinds import kind_register

    for order, (key, label, audience) in enumerate(KINDS, start=90):
        kind_register(key, label=label, audience=audience, order=order)


def upcoming_deadlines(starts_from, starts_until):
    """Reminder source: open challenges whose deadline falls in the window, for their followers
    who are not on an active application to it."""
    from notifications.reminders import Upcoming
    from projects.models import TeamMember

    from .models import Application, Challenge, Follow

    challenges = list(
        Challenge.objects.filter(
            status=Challenge.Status.PUBLISHED, deadline__gte=starts_from, deadline__lt=starts_until
        ).select_related("company")
    )
    for challenge in challenges:
        applied = TeamMember.objects.filter(
            status=TeamMember.Status.ACCEPTED,
            team__challenge_applications__challenge=challenge,
            team__challenge_applications__status__in=Application.ACTIVE,
        ).values("user_id")
        followers = list(
            Follow.objects.filter(challenge=challenge).exclude(user_id__in=applied).values_list("user_id", flat=True)
        )
        yield Upcoming(
            key=f"challenge:{challenge.pk}",
            kind="challenge.deadline",
            starts_at=challenge.deadline,
            user_ids=followers,
            context={
                "challenge": challenge.title,
                "challenge_id": challenge.pk,
                "company": challenge.company.name,
                "target": f"challenge:{challenge.pk}",
                "url": challenge.get_absolute_url(),
            },
        )


def reminders_register() -> None:
    from notifications.reminders import reminder_source_register

    reminder_source_register(upcoming_deadlines)
