"""Refusals of the competitions services, each with a machine-readable code (DESIGN §5.3)."""

from django.utils.translation import gettext_lazy as _

from events.services.errors import ServiceError


class CompetitionError(ServiceError):
    messages = {
        "forbidden": _("您没有权限进行此操作。"),
        "not_candidate": _("只有完善了资料的博士、博士后可以报名参赛。"),
        "not_open": _("大赛报名尚未开始。"),
        "closed": _("报名已截止，参赛信息不能再修改。"),
        "duplicate": _("该团队（或负责人）已报名本次大赛，每个项目只能提交一份参赛材料。"),
        "not_lead": _("只有团队负责人可以提交或修改参赛材料。"),
        "invalid": _("信息有误：%(detail)s"),
        "track": _("请选择本次大赛的赛道。"),
        "credit_code": _("已注册企业须填写企业名称和正确的统一社会信用代码：%(detail)s"),
        "patent": _("专利号格式不正确：%(value)s"),
        "status": _("当前轮次状态下不能进行此操作。"),
        "conflict": _("该评委与该项目存在利益冲突，不能分配。"),
        "not_assigned": _("您未被分配评审该项目。"),
        "score": _("评分无效：%(detail)s"),
        "infeasible": _("无法为每个项目分配 %(k)d 位无利益冲突的评委：%(detail)s"),
        "rubric": _("评分项权重之和须大于 0，且至少有一个评分项。"),
        "no_entries": _("本轮没有参赛项目。"),
        "judge_invalid": _("邀请链接无效或已被使用。"),
        "wrong_user": _("该邀请发给 %(email)s，请用该邮箱登录后再接受。"),
        "already_judge": _("该邮箱已被邀请为本次大赛评委。"),
        "not_revealed": _("结果尚未揭晓。"),
        "positions_full": _("“省博新计划”岗位已全部分配（共 %(n)d 个）。"),
        "award_round": _("决赛结果公布后才能颁奖。"),
        "has_scores": _("该分配已有评分，不能删除。"),
    }

    @property
    def status_code(self) -> int:
        if self.code in {"forbidden", "not_lead", "not_assigned", "wrong_user"}:
            return 403
        if self.code in {"duplicate", "conflict", "positions_full", "already_judge", "has_scores", "status"}:
            return 409
        return 400
