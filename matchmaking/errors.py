"""Refusals of the matchmaking services, each with a machine-readable code (DESIGN §5.3)."""

from django.utils.translation import gettext_lazy as _

from events.services.errors import ServiceError


class MatchmakingError(ServiceError):
    messages = {
        "forbidden": _("您没有权限进行此操作。"),
        "not_enabled": _("本活动未开放一对一洽谈。"),
        "closed": _("洽谈预约尚未开放或已截止。"),
        "not_registered": _("只有已确认报名本活动的候选人可以预约洽谈。"),
        "not_participating": _("该单位未参加本活动的洽谈。"),
        "not_verified": _("单位通过主办方认证后才能参加洽谈。"),
        "no_consent": _("该候选人未同意向用人单位展示资料。"),
        "company_absent": _("该单位在这个时段不在场。"),
        "candidate_busy": _("该候选人在这个时段已有其他日程。"),
        "slot_taken": _("您或对方在这个时段已有洽谈。"),
        "no_table": _("该单位在这个时段已没有空余的洽谈桌。"),
        "table_taken": _("该洽谈桌在这个时段已被占用。"),
        "duplicate": _("双方已有一场洽谈。"),
        "over_candidate_max": _("每位候选人最多 %(max)d 场洽谈。"),
        "over_company_max": _("每家单位最多 %(max)d 场洽谈。"),
        "travel": _("相邻时段的洽谈不能安排在不同的区域。"),
        "not_requested": _("只有待确认的预约可以接受或婉拒。"),
        "not_active": _("该洽谈已取消或失效。"),
        "lapsed": _("该预约已超过答复期限，已失效。"),
        "own_request": _("不能答复自己发出的预约。"),
        "not_accepted": _("只有已确认的洽谈可以标记到场。"),
        "too_early": _("洽谈开始后才能标记到场或填写反馈。"),
        "bad_ticket": _("无法识别该入场码。"),
        "wrong_candidate": _("该入场码不属于这场洽谈的候选人。"),
        "invalid": _("信息有误：%(detail)s"),
        "run_not_draft": _("只有草稿可以发布。"),
        "solver": _("排程失败：%(detail)s"),
    }

    @property
    def status_code(self) -> int:
        if self.code in {"forbidden", "not_verified"}:
            return 403
        if self.code in {
            "slot_taken",
            "no_table",
            "table_taken",
            "duplicate",
            "over_candidate_max",
            "over_company_max",
        }:
            return 409
        return 400
