"""The rooms × time grid on a phone: readable, scrolls sideways inside its box only, links to
speaker pages. Screenshots land in test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Room, Session, Speaker
from events.speakers.services import session_speakers_set

from ..browser_support import ARTIFACTS
from ..factories import EventFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_timetable_grid_on_a_phone(open_page):
    # 09:00 in Qingdao a week from now: a start taken from the clock put the last session past
    # midnight when the test ran in the evening, and the grid split into two days.
    start = timezone.localtime(timezone.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="“智聚博坛”跨学科交叉论坛：海洋科学与人工智能", venue="中国海洋大学学术交流中心", starts_at=start
    )
    hall, one, two = (
        Room.objects.create(venue=event.venue, name=n, capacity=c)
        for n, c in [("报告厅", 300), ("分会场一", 80), ("分会场二", 60)]
    )
    lin = Speaker.objects.create(name="林海川", title="院士", organisation="中国海洋大学", bio_zh="物理海洋学。")
    zhou = Speaker.objects.create(name="周静怡", title="教授", organisation="中国海洋大学")
    han = Speaker.objects.create(name="韩立新", title="研究员", organisation="崂山实验室")
    for title, h0, h1, room, people in [
        ("开幕致辞", 0, 0.5, hall, []),
        ("主旨报告：海洋大数据与智能感知", 0.5, 1.5, hall, [lin]),
        ("青年博士后学术报告：海洋大数据", 2, 4, one, [zhou]),
        ("青年博士后学术报告：智能装备", 2, 3.5, two, [han]),
        ("优秀报告颁奖与闭幕", 4, 4.5, hall, []),
    ]:
        session = Session.objects.create(
            event=event,
            title=title,
            place=room,
            starts_at=start + timedelta(hours=h0),
            ends_at=start + timedelta(hours=h1),
        )
        session_speakers_set(session, people)
    event.ends_at = start + timedelta(hours=5)
    event.save()
    page = open_page(None, f"/events/{event.pk}/")
    grid = page.locator(".tt-grid")
    grid.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the page itself does not
    assert page.locator(".tt-head").all_inner_texts() == ["报告厅", "分会场一", "分会场二"]
    boxes = {
        name: page.locator(f".tt-cell:has-text('{name}')").bounding_box()
        for name in ["主旨报告", "学术报告：海洋大数据", "智能装备"]
    }
    assert boxes["学术报告：海洋大数据"]["y"] == boxes["智能装备"]["y"]  # parallel tracks start on the same line
    assert boxes["学术报告：海洋大数据"]["height"] > boxes["智能装备"]["height"]  # and the longer one is taller
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".tt-scroll").screenshot(path=str(ARTIFACTS / "timetable-grid-phone.png"))
    page.screenshot(path=str(ARTIFACTS / "timetable-page-phone.png"), full_page=True)
    page.click("text=林海川 院士")
    page.wait_for_url(f"**/speakers/{lin.pk}/")
    assert "主旨报告：海洋大数据与智能感知" in page.content()
    page.screenshot(path=str(ARTIFACTS / "speaker-page-phone.png"), full_page=True)
