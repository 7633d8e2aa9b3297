"""Refusals of the fairs services, each with a machine-readable code (DESIGN §5.3)."""

from django.utils.translation import gettext_lazy as _

from events.services.errors import ServiceError


class FairError(ServiceError):
    messages = {
        "taken": _("该展位已被其他单位预订或申请，请选择其他展位。"),
        "over_quota": _("每家单位在本场招聘会最多可预订 %(quota)d 个展位。"),
        "closed": _("本场招聘会的展位预订已截止或尚未开放。"),
        "booth_closed": _("该展位已关闭，不能预订。"),
        "not_verified": _("单位通过主办方认证后才能预订展位、发布岗位。"),
        "not_member": _("您不是该单位的成员。"),
        "forbidden": _("您没有权限进行此操作。"),
        "not_requested": _("只有待审核的预订可以审核。"),
        "not_active": _("该预订已取消或未通过。"),
        "same_booth": _("请选择另一个展位。"),
        "no_booth": _("贵单位在本场招聘会没有已确认的展位。"),
        "invalid": _("信息有误：%(detail)s"),
        "duplicate_code": _("本场招聘会已有展位号 %(booth)s。"),
        "has_bookings": _("该展位已有预订，请先处理预订再关闭或删除。"),
        "overlap": _("该位置与展位 %(booth)s 重叠，请换一个位置。"),
        "bad_ticket": _("无法识别该入场码，请让候选人打开报名成功后的电子票。"),
        "wrong_fair": _("这是其他活动的入场码。"),
        "not_shared": _("该到访者未同意展示资料。"),
        "scan_unavailable": _("电子票验证服务暂不可用，请稍后再试。"),
    }

    @property
    def status_code(self) -> int:
        if self.code in {"forbidden", "not_member", "not_verified"}:
            return 403
        if self.code in {"taken", "over_quota", "duplicate_code", "has_bookings", "overlap"}:
            return 409
        return 400
