"""The one error checkin's services raise; views and the API turn `code` into a status and a message."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "invalid": _("无效的票码"),
    "wrong_event": _("不是本活动的票"),
    "cancelled": _("该报名已取消"),
    "not_open": _("签到尚未开始或已结束"),
    "already_checked_in": _("已签到"),
    "forbidden": _("无权为该活动签到"),
    "device_revoked": _("该扫码设备已被停用"),
    "bad_request": _("请求格式错误"),
    "pairing_invalid": _("配对码无效或已过期"),
    "not_confirmed": _("报名未确认，无电子票"),
    "no_list": _("签到名单不存在"),
}


class CheckinError(Exception):
    """A refusal with a machine-readable `code` (see MESSAGES) and optional extra data."""

    def __init__(self, code: str, **data):
        self.code = code
        self.data = data
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, self.code))
