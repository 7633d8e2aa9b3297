"""Real Chromium against a real ASGI server: booking on the map turns the booth booked on every
open map without a reload; the organizer's editor places a booth; phone screenshots of each page."""

import pytest

from fairs.models import Booth, BoothBooking

from ..browser_support import ARTIFACTS, wait_live
from ..factories import candidate, organizer
from .factories import approved_booking, booths, fair_with_booths, member, position

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fairs-{name}.png"), full_page=True)
    # The phone layout never scrolls sideways (the map scrolls inside its own box).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name


def test_booking_on_the_map_turns_the_booth_booked_on_another_open_map(open_page):
    fair = fair_with_booths(12, title="“蓝洽会”博士后人才招聘专区", columns=4, side=2)
    neighbour, _ = member(name="青岛澜海新能源集团有限公司")
    approved_booking(fair, booths(fair)[0], neighbour)
    company, user = member(name="青岛海蓝智能科技有限公司")
    watcher = open_page(candidate(), f"/fairs/{fair.pk}/map/")
    wait_live(watcher)
    watcher.evaluate("window.__notReloaded = true")
    assert watcher.get_attribute('g[data-code="A-3"]', "data-status") == "free"

    booker = open_page(user, f"/fairs/{fair.pk}/map/")
    wait_live(booker)
    booker.on("dialog", lambda dialog: dialog.accept())
    booker.click('g[data-code="A-3"]')
    assert booker.text_content("[data-panel-code]") == "A-3"
    assert booker.text_content("[data-panel-book]").strip() == "预订该展位"
    shot(booker, "map-panel")
    with booker.expect_navigation():
        booker.click("[data-panel-book]")
    assert booker.text_content(".messages").strip() == "已预订展位 A-3。"

    watcher.wait_for_selector('g[data-code="A-3"][data-status="booked"]', timeout=10_000)
    assert watcher.evaluate("window.__notReloaded === true")
    # A 2×2 booth shows the start of the name; the full name is its tooltip and in the panel.
    # The distinctive part of the name, not "青岛X…" on every booth (issue 17).
    assert watcher.text_content('g[data-code="A-3"] .booth-company') == "海蓝智…"
    assert watcher.text_content('g[data-code="A-3"] title') == "A-3 · 青岛海蓝智能科技有限公司"
    assert BoothBooking.objects.get(booth__code="A-3", booth__hall__fair=fair).company == company
    booker.wait_for_selector('g[data-code="A-3"].is-mine')
    shot(watcher, "map-phone")

    # Released again (the company cancels on its own page): every map shows it free, no reload.
    booker.goto(booker.url.split("/fairs/")[0] + "/company/fairs/")
    with booker.expect_navigation():
        booker.click("[data-booking] button:has-text('取消展位')")
    assert booker.text_content(".messages").strip() == "已取消展位 A-3 的预订。"
    watcher.wait_for_selector('g[data-code="A-3"][data-status="free"]', timeout=10_000)
    assert watcher.evaluate("window.__notReloaded === true")


def test_directory_company_and_candidate_pages_on_a_phone(open_page):
    fair = fair_with_booths(4, title="人工智能与电子信息博士后专场招聘会", columns=4, side=2)
    company, user = member(name="青岛芯海电子信息技术有限公司", description="集成电路设计与射频通信。")
    approved_booking(fair, booths(fair)[1], company)
    position(
        company,
        fair,
        title="集成电路设计博士后",
        discipline="0809",
        salary_min=35,
        salary_max=60,
        requirements="微电子、电子科学与技术博士",
    )
    event_page = open_page(candidate(), f"/events/{fair.pk}/")
    event_page.click("section.fair-links a.btn-primary")
    event_page.wait_for_selector('g[data-code="A-2"][data-status="booked"]')
    event_page.go_back()
    event_page.locator("section.fair-links").scroll_into_view_if_needed()
    shot(event_page, "event-page-phone")
    directory = open_page(candidate(), f"/fairs/{fair.pk}/directory/")
    assert "集成电路设计博士后" in directory.text_content(".company-entry")
    shot(directory, "directory-phone")
    directory.click("text=在展位图上查看")
    directory.wait_for_selector(f'g[data-booth="{booths(fair)[1].pk}"].is-highlight')
    shot(directory, "map-highlight-phone")
    home = open_page(user, "/company/fairs/")
    assert "A 馆 · A-2" in home.text_content("[data-booking]")
    shot(home, "company-home-phone")
    scanner = open_page(user, f"/company/fairs/{fair.pk}/scan/")
    shot(scanner, "scanner-phone")


def test_editor_places_a_booth_and_the_bookings_page(open_page):
    fair = fair_with_booths(3, approval_required=True, columns=12)
    company, _ = member(name="青岛启明生物医药股份有限公司")
    from fairs.services import booth_book

    booth_book(booth=booths(fair)[0], company=company, actor=company.memberships.get().user)
    boss = organizer(manages_all=True)
    page = open_page(boss, f"/console/fairs/{fair.pk}/")
    page.click('[data-mode="add"]')
    page.click("svg.hall-svg", position={"x": 26 * 6 + 5, "y": 26 * 2 + 5})
    page.wait_for_selector('g[data-code="A-01"]')
    booth = Booth.objects.get(hall__fair=fair, code="A-01")
    assert (booth.x, booth.y, booth.width, booth.height) == (6, 2, 2, 2)
    page.click('[data-mode="move"]')
    page.click('g[data-code="A-01"]')
    page.fill("[data-booth-form] [name=zone]", "生物医药")
    page.click("[data-booth-form] button[type=submit]")
    page.wait_for_selector("[data-status]:has-text('已保存 A-01')")
    assert Booth.objects.get(pk=booth.pk).zone == "生物医药"
    shot(page, "editor-phone")
    bookings = open_page(boss, f"/console/fairs/{fair.pk}/bookings/")
    shot(bookings, "console-bookings-phone")
    with bookings.expect_navigation():
        bookings.click("text=通过")
    assert BoothBooking.objects.get(fair=fair).status == "approved"


def test_visitors_and_my_visits_pages_on_a_phone(open_page):
    from fairs.services import visit_record

    fair = fair_with_booths(2, title="海洋科技领域博士后专场招聘会", columns=2, side=2)
    company, staff = member(name="青岛蓝湾海洋科技研究院有限公司")
    approved_booking(fair, booths(fair)[0], company)
    sharing = candidate(consent_share=True, full_name="林晓", institution="中国海洋大学", research_field="物理海洋学")
    visit_record(fair=fair, company=company, actor=staff, visitor=sharing)
    visit_record(fair=fair, company=company, actor=staff, visitor=candidate(consent_share=False))
    visitors = open_page(staff, f"/company/fairs/{fair.pk}/visitors/")
    assert visitors.text_content("[data-counts]").strip() == "同意展示资料 1 人 · 未授权（仅计数）1 人"
    visitors.fill("textarea", "物理海洋方向，约二面")
    with visitors.expect_navigation():
        visitors.click("[data-visit] button")
    assert visitors.input_value("textarea") == "物理海洋方向，约二面"
    shot(visitors, "visitors-phone")
    mine = open_page(sharing, "/fairs/visits/")
    assert "青岛蓝湾海洋科技研究院有限公司" in mine.text_content("[data-visit]")
    shot(mine, "my-visits-phone")
    with mine.expect_navigation():
        mine.click("text=撤回授权")
    assert mine.text_content("[data-visit] .badge").strip() == "该单位只看到匿名到访"
