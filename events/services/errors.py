"""Refusals with a machine-readable code; views and APIs turn them into a message and a status."""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    messages: dict = {}
    status = 400

    def __init__(self, code: str, message=None, **params):
        super().__init__(code)
        self.code = code
        template = message if message is not None else self.messages.get(code, code)
        self.message = template % params if params else template


class RegistrationError(ServiceError):
    messages = {
        "not_published": _("该活动尚未发布，暂不能报名。"),
        "cancelled": _("该活动已取消，不能报名。"),
        "not_open": _("报名尚未开始，请于 %(opens)s 后再来。"),
        "closed": _("报名已截止。"),
        "not_candidate": _("只有博士、博士后候选人可以报名活动。"),
        "no_profile": _("报名前请先完善您的候选人资料。"),
        "ineligible": _("本活动仅面向：%(kinds)s。"),
        "duplicate": _("您已报名该活动，无需重复报名。"),
        "full": _("名额已满，本活动不设候补。"),
        "answers_needed": _("报名前请先回答本活动的报名问题。"),
        "not_active": _("该报名已取消。"),
        "not_waitlisted": _("只有候补中的报名可以转为正式。"),
        "forbidden": _("您没有权限进行此操作。"),
    }

    @property
    def status_code(self) -> int:
        return 403 if self.code == "forbidden" else 409 if self.code in {"duplicate", "full"} else 400


class EventError(ServiceError):
    messages = {
        "forbidden": _("您没有权限管理该活动。"),
        "already_cancelled": _("该活动已取消。"),
        "cannot_publish": _("已取消的活动不能再次发布。"),
        "invalid": _("活动信息有误：%(detail)s"),
    }
