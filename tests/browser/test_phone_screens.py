"""Phone-size screenshots (390x844) of the public pages, for a person to look at.

They land in test-artifacts/ (git-ignored). The assertions check what must hold on a phone
whatever the data: nothing wider than the screen, and the main content present.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.services import registration_create

from ..browser_support import ARTIFACTS, wait_live
from ..factories import EventFactory, RegistrationFactory, SeriesFactory, SessionFactory, candidate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _programme():
    """A small programme like the real one: several kinds, one full, one cancelled, sessions."""
    series = SeriesFactory()
    recruit = series.actions.create(number=1, title="“博聚英才”博士后招引集聚行动")
    match = series.actions.create(number=6, title="“产才对接”博士后助企行动")
    forum = series.actions.create(number=10, title="“智聚博坛”学术研讨行动")
    day = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=6)
    fair = EventFactory(
        title="2025年青岛市博士后专场招聘会（春季）",
        kind="fair",
        action=recruit,
        capacity=2,
        starts_at=day,
        ends_at=day + timedelta(hours=7, minutes=30),
        venue="青岛国际会展中心 3号馆",
        address="青岛市崂山区苗岭路9号",
        summary="近百家设站单位现场揽才，涵盖海洋科学、人工智能、新能源等领域。",
        description="本次招聘会设博士后人才招聘专区，进站博士后可享受生活补贴、科研资助。\n\n请携带简历及学位证书复印件。",
        eligibility=["phd_candidate", "phd", "postdoc"],
    )
    SessionFactory(
        event=fair,
        title="开幕式暨博士后政策发布",
        speakers="市人力资源和社会保障局",
        room="3号馆主舞台",
        starts_at=day,
        ends_at=day + timedelta(minutes=40),
    )
    SessionFactory(
        event=fair,
        title="设站单位现场洽谈",
        speakers="",
        room="3号馆A–D区",
        starts_at=day + timedelta(minutes=40),
        ends_at=day + timedelta(hours=5),
    )
    SessionFactory(
        event=fair,
        title="“博士后，青岛等你”圆桌对话",
        speakers="中国海洋大学 王教授；海尔集团 李博士",
        room="3号馆论坛区",
        starts_at=day + timedelta(hours=5, minutes=30),
        ends_at=day + timedelta(hours=7),
    )
    EventFactory(
        title="新能源与储能产才对接会",
        kind="matchmaking",
        action=match,
        mode="hybrid",
        capacity=60,
        starts_at=day + timedelta(days=9),
        ends_at=day + timedelta(days=9, hours=4),
        venue="西海岸新区创新中心",
    )
    EventFactory(
        title="海洋科学青年博士后学术论坛",
        kind="forum",
        action=forum,
        capacity=1,
        waitlist_enabled=False,
        starts_at=day + timedelta(days=15),
        ends_at=day + timedelta(days=16, hours=8),
        venue="中国海洋大学崂山校区",
    )
    EventFactory(
        title="博士后政策解读直播",
        kind="training",
        mode="online",
        venue="",
        capacity=500,
        starts_at=day + timedelta(days=3),
        ends_at=day + timedelta(days=3, hours=2),
    )
    EventFactory(
        title="北京高校巡回招聘（暂停）",
        kind="roadshow",
        action=recruit,
        status="cancelled",
        starts_at=day + timedelta(days=20),
        ends_at=day + timedelta(days=20, hours=4),
        city="北京",
        venue="清华大学",
    )
    return fair


def _shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways on a phone"
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_phone_screens(open_page):
    fair = _programme()
    forum = fair.series.events.get(kind="forum")
    person = candidate(full_name="张博")
    RegistrationFactory(event=forum, user=candidate(), status="confirmed")
    registration_create(event=fair, user=candidate())
    registration_create(event=fair, user=candidate())
    registration_create(event=fair, user=candidate())
    registration_create(event=fair, user=person)  # second on the waiting list
    past = EventFactory(
        title="2024年博士后创新创业大赛决赛",
        kind="competition",
        starts_at=timezone.now() - timedelta(days=40),
        ends_at=timezone.now() - timedelta(days=39),
    )
    RegistrationFactory(event=past, user=person, status="confirmed")

    page = open_page(None, "/")
    assert page.locator(".event-card").count() == 5
    _shoot(page, "phone-home")

    page = open_page(person, f"/events/{fair.pk}/")
    wait_live(page)
    assert page.text_content("[data-my-state]").strip() == "您在候补名单中，当前第 2 位。"
    _shoot(page, "phone-event-detail")

    page = open_page(None, f"/events/{forum.pk}/")
    wait_live(page)
    _shoot(page, "phone-event-detail-anonymous")

    page = open_page(person, "/my/events/")
    assert page.locator(".my-row").count() == 2
    _shoot(page, "phone-my-events")

    page = open_page(person, "/?month=2099-13&kind=zzz")
    _shoot(page, "phone-home-bad-filter")
