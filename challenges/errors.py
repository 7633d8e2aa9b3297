"""Refusals of the challenges services, each with a machine-readable code (DESIGN §5.3)."""

from django.utils.translation import gettext_lazy as _

from events.services.errors import ServiceError


class ChallengeError(ServiceError):
    messages = {
        "forbidden": _("您没有权限进行此操作。"),
        "not_verified": _("单位通过主办方认证后才能发布难题。"),
        "invalid": _("信息有误：%(detail)s"),
        "budget_invalid": _("预算须为 0 到 100000 万元之间的数字，且下限不高于上限。"),
        "price_invalid": _("报价须为 0 到 100000 万元之间的数字。"),
        "deadline_invalid": _("揭榜截止时间须在 1 天之后、1 年之内。"),
        "winners_invalid": _("拟揭榜团队数须在 1 到 20 之间。"),
        "not_editable": _("只有草稿或被退回的难题可以修改。"),
        "not_submitted": _("只有待审核的难题可以审核。"),
        "not_approved": _("只有审核通过的难题可以发布。"),
        "reason_required": _("退回时请写明理由。"),
        "not_open": _("该难题不在揭榜期内。"),
        "deadline_passed": _("揭榜已截止。"),
        "not_candidate": _("只有博士或博士后可以揭榜，请先完善候选人资料。"),
        "duplicate": _("该团队已揭榜此难题，请修改已有的申请。"),
        "member_elsewhere": _("团队成员 %(who)s 已通过其他团队揭榜此难题。"),
        "not_team_lead": _("只有团队负责人可以代表团队揭榜。"),
        "not_active": _("该申请已撤回或已有结果。"),
        "not_shortlisted": _("请先将该申请列入入围名单。"),
        "winners_full": _("已选满 %(n)d 个揭榜团队，不能再选。"),
        "not_published": _("只有已发布的难题可以选择揭榜团队。"),
        "bad_file": _("附件有误：%(detail)s"),
        "too_many_files": _("每个难题最多 %(n)d 个附件。"),
        "date_invalid": _("日期或时间格式有误。"),
        "nda_required": _("请先阅读并同意保密声明。"),
    }

    @property
    def status_code(self) -> int:
        if self.code in {"forbidden", "not_verified", "not_team_lead", "nda_required"}:
            return 403
        if self.code in {"duplicate", "winners_full", "member_elsewhere"}:
            return 409
        return 400
