"""Demo of the 2025 中国·山东博士(后)创新创业大赛“人才招引赛”: 24 entries in six industry tracks,
nine judges with declared conflicts, a finished 初赛 (online review, 12 advance) and 复赛
(roadshow, 6 advance), and a 决赛 ready to run live (running order drawn, judges assigned,
judging open: the organizer puts the first team on stage from the console). Everything goes
through the real services, so assignments, scores, results and notifications are real.
Called by events' load_demo; idempotent (a competition already loaded is left alone)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from accounts.models import CandidateProfile, PostdocStatus, User
from events.models import Event
from projects.models import Mentor, TeamMember
from projects.services import team_create

from .models import Assignment, Competition, Criterion, Entry, Round
from .services import (
    entry_submit,
    judge_accept,
    live_order_set,
    results_compute,
    results_publish,
    results_review,
    round_assign,
    round_close,
    round_open,
    scorecard_submit,
)

TITLE = "2025年中国·山东博士(后)创新创业大赛“人才招引赛”"
TRACKS = ["人工智能", "海洋经济", "生物医药", "绿色能源", "高端装备", "新材料"]
ORGS = [
    "中国海洋大学",
    "山东大学（青岛）",
    "青岛大学",
    "中国石油大学（华东）",
    "中国科学院海洋研究所",
    "哈尔滨工程大学青岛创新发展基地",
]
PROJECTS = [
    ("多模态大模型驱动的港口智能调度系统", "人工智能"),
    ("面向工业质检的小样本视觉检测平台", "人工智能"),
    ("海洋牧场水下巡检机器人", "海洋经济"),
    ("深远海养殖网箱智能监测与防腐涂层", "海洋经济"),
    ("海洋微藻高值化利用关键技术", "海洋经济"),
    ("基于海洋多糖的创面修复敷料", "生物医药"),
    ("抗肿瘤海洋创新药先导化合物", "生物医药"),
    ("mRNA 疫苗递送新型脂质纳米粒", "生物医药"),
    ("海上风电并网智能控制器", "绿色能源"),
    ("固态氢储运材料与装置", "绿色能源"),
    ("钠离子电池正极材料产业化", "绿色能源"),
    ("深海装备耐压结构轻量化设计", "高端装备"),
    ("高速列车转向架健康监测系统", "高端装备"),
    ("智能制造柔性装配机器人", "高端装备"),
    ("石墨烯防腐涂料", "新材料"),
    ("可降解海洋生物基塑料", "新材料"),
    ("高性能碳纤维复合材料回收", "新材料"),
    ("城市内涝数字孪生预警平台", "人工智能"),
    ("水产品冷链溯源区块链平台", "海洋经济"),
    ("海洋声学原位观测浮标", "海洋经济"),
    ("中药配方颗粒智能质控", "生物医药"),
    ("光伏组件回收与硅材料再生", "绿色能源"),
    ("船舶尾气脱硫脱硝一体化装置", "高端装备"),
    ("柔性可穿戴传感薄膜", "新材料"),
]
JUDGES = [
    ("周明远", "中国海洋大学", "海洋经济"),
    ("孙立群", "山东大学（青岛）", "生物医药"),
    ("王海涛", "青岛市创业投资有限公司", ""),
    ("刘雅婷", "海尔集团", "人工智能"),
    ("陈建国", "青岛银行科技金融部", ""),
    ("赵丽华", "中国科学院青岛生物能源与过程研究所", "绿色能源"),
    ("吴志强", "中车青岛四方机车车辆股份有限公司", "高端装备"),
    ("郑晓燕", "青岛科技大学", "新材料"),
    ("黄伟", "国家深海基地管理中心", "海洋经济"),
]
MENTORS = [
    ("钱学文", "青岛市工业技术研究院", "研究员", "technology"),
    ("冯嘉怡", "青岛市中小企业公共服务中心", "创业导师", "business"),
    ("韩东", "青岛银行科技金融部", "总经理", "finance"),
]
RUBRICS = {
    1: [("创新性", 30), ("市场前景", 25), ("团队能力", 25), ("可行性", 20)],
    2: [("技术先进性", 30), ("商业模式", 25), ("团队能力", 25), ("路演表现", 20)],
    3: [("创新与技术", 30), ("市场与商业模式", 30), ("团队", 20), ("现场答辩", 20)],
}


def load(*, head: User, user: Callable[..., User]) -> Competition | None:
    """`user(email, name, role)` makes (or finds) a demo login, as load_demo does for everyone."""
    event = Event.objects.filter(kind=Event.Kind.COMPETITION, title=TITLE).first()
    if event is None or hasattr(event, "competition"):
        return None
    now = timezone.now()
    competition = Competition.objects.create(
        event=event,
        series=event.series,
        tracks=TRACKS,
        entries_open_at=now - timedelta(days=60),
        entry_deadline=now - timedelta(days=20),
        positions_total=60,
    )
    rng = random.Random(2025)
    entries = _entries(competition, user, now)
    judges = _judges(competition, user, entries)
    for mentor_name, organisation, title, expertise in MENTORS:
        account = user(f"mentor-{expertise}@boju.local", mentor_name, User.Role.CANDIDATE)
        Mentor.objects.get_or_create(
            name=mentor_name,
            defaults={"user": account, "organisation": organisation, "title": title, "expertise": expertise},
        )
    first = _round(competition, 1, "初赛（网络评审）", Round.Kind.ONLINE, k=3, count=12, normalise=True)
    second = _round(competition, 2, "复赛（项目路演）", Round.Kind.ROADSHOW, k=3, count=6)
    # Every finalist meets most of the panel (those free of conflicts with it).
    final = _round(competition, 3, "决赛（现场路演）", Round.Kind.LIVE, k=max(1, len(judges) - 3), count=6)
    for round_ in (first, second):
        _judge(round_, head, rng)
    live_order_set(round_=final, actor=head)
    round_assign(round_=final, actor=head)
    round_open(round_=final, actor=head)
    return competition


def _entries(competition: Competition, user, now) -> list[Entry]:
    entries = []
    for number, (title, track) in enumerate(PROJECTS, start=1):
        lead = user(f"entrant{number}@boju.local", f"参赛博士后{number:02d}", User.Role.CANDIDATE)
        CandidateProfile.objects.get_or_create(
            user=lead,
            defaults={
                "full_name": lead.name,
                "phone": f"1390532{number:04d}",
                "institution": ORGS[number % len(ORGS)],
                "discipline": "0812",
                "research_field": track,
                "postdoc_status": PostdocStatus.IN_STATION if number % 3 else PostdocStatus.NONE,
            },
        )
        team = team_create(lead=lead, name=f"{title}团队")
        if number <= 6:  # a few teams with a second member (written directly: no invitation e-mail in the demo)
            mate = User.objects.filter(email=f"candidate{number}@boju.local").first()
            if mate is not None:
                TeamMember.objects.get_or_create(
                    team=team,
                    user=mate,
                    defaults={"email": mate.email, "status": TeamMember.Status.ACCEPTED, "responded_at": now},
                )
        data = {
            "title": title,
            "track": track,
            "stage": "prototype" if number % 2 else "idea",
            "organisation": ORGS[number % len(ORGS)],
            "funding_wan": str(100 + 50 * (number % 7)),
            "summary": f"{title}：依托{ORGS[number % len(ORGS)]}博士后科研平台，已完成关键技术验证，拟在青岛落地转化。",
            "patents": f"ZL2023101{number:05d}.{number % 10}",
            "video_url": f"https://video.boju.local/roadshow/{number}",
        }
        entries.append(
            entry_submit(
                competition=competition, actor=lead, data=data, team=team, now=now - timedelta(days=40, hours=-number)
            )
        )
    return entries


def _judges(competition: Competition, user, entries: list[Entry]):
    judges = []
    for number, (name, organisation, expertise) in enumerate(JUDGES, start=1):
        account = user(f"judge{number}@boju.local", name, User.Role.CANDIDATE)
        judge = competition.judges.create(
            email=account.email, name=name, organisation=organisation, token=f"demo-{number}"
        )
        declared = [entries[(number * 5) % len(entries)].pk] if number % 3 == 0 else []
        judges.append(
            judge_accept(
                judge=judge,
                user=account,
                organisation=organisation,
                entry_ids=declared,
                coauthors=["参赛博士后07"] if number == 2 else [],
                expertise=expertise,
            )
        )
    return judges


def _round(competition, number, name, kind, *, k, count, normalise=False) -> Round:
    round_ = Round.objects.create(
        competition=competition,
        number=number,
        name=name,
        kind=kind,
        judges_per_entry=k,
        advance_count=count,
        normalise=normalise,
        tie_break=Round.TieBreak.CRITERIA,
    )
    for order, (criterion, weight) in enumerate(RUBRICS[number]):
        Criterion.objects.create(round=round_, name=criterion, weight=weight, scale_max=10, order=order)
    return round_


def _judge(round_: Round, head: User, rng: random.Random) -> None:
    """Assign, open, let every judge score (each with their own severity), close, compute,
    review and publish: a finished round."""
    round_assign(round_=round_, actor=head)
    round_open(round_=round_, actor=head)
    criteria = list(Criterion.objects.filter(round=round_))
    severity = {}
    for assignment in Assignment.objects.filter(round=round_).select_related("judge__user", "entry"):
        bias = severity.setdefault(assignment.judge_id, rng.choice([-1.5, -0.5, 0, 0.5, 1]))
        quality = 5 + (sum(map(ord, assignment.entry.title)) % 5) * 0.5 + (assignment.entry_id % 4) * 0.5
        values = {c.pk: max(0, min(10, round((quality + bias + rng.uniform(-1, 1)) * 2) / 2)) for c in criteria}
        scorecard_submit(
            assignment=assignment,
            actor=assignment.judge.user,
            values=values,
            comment="技术路线清晰，建议加强市场验证。",
        )
    round_close(round_=round_, actor=head)
    results_compute(round_=round_, actor=head)
    results_review(round_=round_, actor=head)
    results_publish(round_=round_, actor=head)
