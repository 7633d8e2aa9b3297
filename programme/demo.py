"""Demo progress for the programme, so the dashboard is not empty after `make run`: the ten
actions' standard targets, 260 demo attendees (from many provinces and university types; they
cannot log in) registered for the on-site events that already took place, most of them checked
in at the door, projects signed with
the demo companies, and outcomes (confirmed, awaiting review, and one offer waiting for
candidate1 to confirm). Called by events' load_demo; idempotent. Dates are relative to today.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import CandidateProfile, Company, User
from checkin.models import Checkin
from checkin.services import checkin_list_default
from checkin.tickets import ticket_for_registration
from events.models import Event, Registration
from events.services import registration_create
from fairs.models import BoothVisit, Fair
from projects.models import Project

from .counting import tallies_rebuild
from .models import Outcome
from .services import targets_default

ATTENDEE_EMAIL = "demo-attendee-{n}@attendees.boju.local"  # not a login: outside @boju.local
ATTENDEES = 260
# Where the demo attendees come from: weights of (province, university type).
PROVINCES = [
    ("shandong", 30),
    ("beijing", 12),
    ("jiangsu", 9),
    ("shanghai", 8),
    ("shaanxi", 7),
    ("hubei", 6),
    ("heilongjiang", 5),
    ("zhejiang", 5),
    ("sichuan", 4),
    ("liaoning", 4),
    ("tianjin", 3),
    ("abroad", 4),
    ("henan", 3),
]
UNIVERSITY_TYPES = [("985", 34), ("211", 20), ("double_first", 14), ("institute", 16), ("regular", 10), ("abroad", 6)]
PROJECTS = [
    "深远海养殖装备智能监测系统",
    "海洋生物医药先导化合物筛选平台",
    "氢燃料电池低铂催化剂中试",
    "工业视觉缺陷检测算法",
    "海上风电运维无人机巡检",
    "可降解高分子包装材料",
    "智能家电语音交互芯片",
    "船舶尾气脱硫催化剂",
    "海藻多糖功能食品开发",
    "新能源汽车电池热管理",
    "港口集装箱智能调度",
    "海洋环境在线监测浮标",
]


def _weighted(rng: random.Random, pairs):
    return rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]


def unload(series) -> None:
    """Before load_demo --reset deletes the series: projects protect it; demo attendees go too."""
    Project.objects.filter(series=series).delete()
    User.objects.filter(email__startswith="demo-attendee-", email__endswith="@attendees.boju.local").delete()


def load(*, head, series) -> None:
    targets_default(series=series, actor=head)
    rng = random.Random(2025)  # the same demo after every --reset
    with transaction.atomic():
        _profiles()
        if not Registration.objects.filter(event__series=series, user__email__startswith="demo-attendee-").exists():
            attendees = _attendees(rng)
            _attend(series, attendees, rng)
            _mail_back_on(attendees)  # registered after the registrations' own commit callbacks
            _projects(series, head, rng)
            _outcomes(series, head, attendees, rng)
    tallies_rebuild()


def _profiles() -> None:
    """Origins for the demo candidates who have none (their profiles predate the fields)."""
    for profile in CandidateProfile.objects.filter(province="").select_related("user"):
        rng = random.Random(profile.user.email)  # the same origin for the same person, every time
        profile.province = _weighted(rng, PROVINCES)
        profile.university_type = _weighted(rng, UNIVERSITY_TYPES)
        profile.save(update_fields=["province", "university_type"])


def _attendees(rng: random.Random) -> list[User]:
    password = make_password(None)  # unusable: these people cannot log in
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "思远浩然雨桐子墨嘉禾若凡清扬景行一鸣晓雯梓涵欣怡"
    users = []
    for n in range(1, ATTENDEES + 1):
        name = rng.choice(surnames) + "".join(rng.sample(given, 2))
        user, created = User.objects.get_or_create(
            email=ATTENDEE_EMAIL.format(n=n), defaults={"name": name, "password": password}
        )
        if created:
            CandidateProfile.objects.create(
                user=user,
                full_name=name,
                phone=f"139{n:08d}",
                degree=rng.choice(["phd", "phd", "phd_candidate"]),
                institution="",
                discipline=rng.choice(["0707", "0812", "0703", "0817", "1007", "0805"]),
                province=_weighted(rng, PROVINCES),
                university_type=_weighted(rng, UNIVERSITY_TYPES),
            )
        users.append(user)
    # Nobody reads these mailboxes: the attendees' messages (written on commit) go to their
    # inboxes only. Opted out of e-mail until our commit callback, after theirs, removes it again.
    from notifications.kinds import kinds_all
    from notifications.models import Preference

    ids = [u.pk for u in users]
    had = set(Preference.objects.filter(user_id__in=ids).values_list("user_id", "kind"))
    Preference.objects.bulk_create(
        [Preference(user_id=u, kind=k.key, email=False) for u in ids for k in kinds_all() if (u, k.key) not in had],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return users


def _mail_back_on(users: list[User]) -> None:
    from notifications.models import Preference

    ids = [u.pk for u in users]
    transaction.on_commit(lambda: Preference.objects.filter(user_id__in=ids, email=False).delete())


def _attend(series, attendees: list[User], rng: random.Random) -> None:
    """The demo attendees at the on-site events that already took place: most registered came."""
    now = timezone.now()
    for event in (
        Event.objects.filter(series=series, status=Event.Status.PUBLISHED, ends_at__lt=now)
        .exclude(mode=Event.Mode.ONLINE)
        .order_by("starts_at")
    ):
        room = event.capacity - event.registrations.confirmed().count()
        checkin_list = checkin_list_default(event_id=event.pk)
        opens = event.registration_opens_at or event.starts_at - timedelta(days=14)
        window = (event.registration_closes_at or event.starts_at) - opens
        chosen = rng.sample(attendees, max(0, min(len(attendees), room)))
        for index, user in enumerate(chosen):
            # Through the service at the time it would have happened (audit entry, ticket, seat).
            when = opens + window * (index + 1) / (len(chosen) + 2)
            registration = registration_create(event=event, user=user, now=when)
            if registration.status == Registration.Status.CONFIRMED and rng.random() < 0.72:
                Checkin.objects.create(
                    ticket=ticket_for_registration(registration),
                    checkin_list=checkin_list,
                    scanned_at=event.starts_at - timedelta(minutes=15) + timedelta(seconds=37 * index % 9000),
                    gate="东门" if index % 3 else "西门",
                )


def _projects(series, head, rng: random.Random) -> None:
    companies = list(Company.objects.filter(status=Company.Status.VERIFIED).order_by("pk"))
    for index, title in enumerate(PROJECTS * 2):
        Project.objects.create(
            series=series,
            title=title if index < len(PROJECTS) else f"{title}（二期）",
            # Entered by hand, as the bureau does for projects signed outside Boju; the challenge
            # list and the competition make their own (challenges/demo.py, competitions' awards).
            source=Project.Source.MANUAL,
            company=companies[index % len(companies)] if companies else None,
            signed_on=timezone.localdate() - timedelta(days=rng.randint(3, 110)),
            amount_wan=rng.choice([30, 50, 80, 120, 200, 350]),
            created_by=head,
        )


def _outcomes(series, head, attendees: list[User], rng: random.Random) -> None:
    companies = list(Company.objects.filter(status=Company.Status.VERIFIED).order_by("pk"))
    now = timezone.now()
    came = list(
        User.objects.filter(
            pk__in=Checkin.objects.filter(ticket__event__series=series).values("ticket__registration__user")
        ).order_by("pk")
    )
    for index, user in enumerate(came[:48]):
        kind = ["offer", "offer", "hire", "station_entry", "job"][index % 5]
        company = companies[index % len(companies)] if kind in ("offer", "hire", "station_entry") else None
        status = Outcome.Status.CONFIRMED if index < 40 else Outcome.Status.AWAITING_REVIEW
        outcome = Outcome.objects.create(
            series=series,
            kind=kind,
            candidate=user,
            company=company,
            happened_on=timezone.localdate() - timedelta(days=rng.randint(1, 100)),
            status=status,
            reported_by=user,
            note="",
            reviewed_by=head if status == Outcome.Status.CONFIRMED else None,
            reviewed_at=now if status == Outcome.Status.CONFIRMED else None,
        )
        if company and kind in ("offer", "hire"):
            outcome.reported_by = company.memberships.first().user if company.memberships.exists() else head
            outcome.save(update_fields=["reported_by"])
    # An offer from the first verified company waiting for candidate1 (林晓) to confirm.
    first = User.objects.filter(email="candidate1@boju.local").first()
    if first is not None and companies:
        fair = Fair.objects.filter(event__series=series).order_by("event__starts_at").first()
        if fair is not None:
            BoothVisit.objects.get_or_create(fair=fair, company=companies[0], visitor=first, defaults={"shared": True})
        Outcome.objects.get_or_create(
            series=series,
            kind="offer",
            candidate=first,
            company=companies[0],
            defaults={
                "happened_on": timezone.localdate(),
                "status": Outcome.Status.AWAITING_CANDIDATE,
                "reported_by": companies[0].memberships.first().user if companies[0].memberships.exists() else head,
                "note": "海洋大数据算法工程师（博士后）",
            },
        )
