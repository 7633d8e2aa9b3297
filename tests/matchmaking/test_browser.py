"""Real Chromium against a real ASGI server: a candidate asks for a meeting, the company accepts,
and the meeting appears on both schedules (and the organizer's grid) without a reload. Phone
screenshots of 我的洽谈 and 洽谈日程."""

from zoneinfo import ZoneInfo

import pytest

from matchmaking.models import Meeting

from ..browser_support import ARTIFACTS, wait_js, wait_live
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of

ZONE = ZoneInfo("Asia/Shanghai")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"matchmaking-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name


def test_candidate_asks_company_accepts_both_schedules_update_live(open_page):
    setup = matchmaking_event(slots=4, title="“博创未来”产才对接活动·人工智能专场")
    company, rep = company_at(setup, tables=2, name="青岛海蓝智能科技有限公司")
    person = confirmed_candidate(setup, full_name="林晓")
    second_slot = slots_of(setup)[1]

    mine = open_page(person, f"/meetings/{setup.pk}/")
    wait_live(mine)
    mine.evaluate("window.__notReloaded = true")
    desk = open_page(rep, f"/meetings/{setup.pk}/company/")
    wait_live(desk)
    desk.evaluate("window.__notReloaded = true")
    grid = open_page(setup.boss, f"/console/meetings/{setup.pk}/")
    wait_live(grid)
    grid.evaluate("window.__notReloaded = true")

    # The candidate asks (a second tab of theirs, so the watched one is never reloaded).
    asking = open_page(person, f"/meetings/{setup.pk}/")
    # The machine is shared by several sessions: under a load average above 10 one POST and its
    # page once took longer than Playwright's default 30 s (16 s for the whole test when quiet).
    for page in (asking, desk):
        page.set_default_timeout(60_000)
    asking.select_option("#mm-request select[name=company]", str(company.pk))
    # Wait for the company's free slots: the list rendered with the page is replaced when they
    # arrive, and a slot picked before that was lost (under load the form then never submitted).
    wait_js(asking, f"document.getElementById('mm-request').dataset.slotsFor === '{company.pk}'")
    asking.select_option("#mm-request select[name=slot]", str(second_slot.pk))
    with asking.expect_navigation():
        asking.click("#mm-request button[type=submit]")
    assert asking.text_content(".messages").strip() == "预约已发出，等待对方确认。"
    meeting = Meeting.objects.get(candidate=person)

    # The company's page shows the request without a reload; it accepts there.
    desk.wait_for_selector(f'[data-accept="{meeting.pk}"]', timeout=10_000)
    assert desk.evaluate("window.__notReloaded === true")
    with desk.expect_navigation():
        desk.click(f'[data-accept="{meeting.pk}"]')
    assert desk.text_content(".messages").strip() == "已接受洽谈。"
    desk.wait_for_selector(f'.mm-schedule [data-meeting="{meeting.pk}"]')
    assert "林晓" in desk.text_content(f'.mm-schedule [data-meeting="{meeting.pk}"]')

    mine.wait_for_selector(f'#mm-mine [data-meeting="{meeting.pk}"][data-status="accepted"]', timeout=10_000)
    assert mine.evaluate("window.__notReloaded === true")
    assert "青岛海蓝智能科技有限公司" in mine.text_content(f'[data-meeting="{meeting.pk}"]')
    grid.wait_for_selector(f'.mm-grid [data-meeting="{meeting.pk}"]', timeout=10_000)
    assert grid.evaluate("window.__notReloaded === true")
    assert Meeting.objects.get(pk=meeting.pk).status == "accepted"
    shot(mine, "mine-phone")
    shot(desk, "company-phone")

    # The organizer drags the meeting to a free cell (same table, last slot): both schedules follow.
    last = slots_of(setup)[3]
    table = Meeting.objects.get(pk=meeting.pk).table_id
    grid.drag_and_drop(f'.mm-grid [data-meeting="{meeting.pk}"]', f'td[data-slot="{last.pk}"][data-table="{table}"]')
    grid.wait_for_selector(f'td[data-slot="{last.pk}"] [data-meeting="{meeting.pk}"]', timeout=10_000)
    moved = Meeting.objects.get(pk=meeting.pk)
    assert (moved.slot_id, moved.pinned) == (last.pk, True)
    wait_js(
        mine,
        f"document.querySelector('#mm-mine [data-meeting=\"{meeting.pk}\"]')"
        f".textContent.includes('{last.starts_at.astimezone(ZONE):%H:%M}')",
        timeout=10_000,
    )
    assert mine.evaluate("window.__notReloaded === true") and grid.evaluate("window.__notReloaded === true")
    shot(grid, "console-phone")


def test_slot_picked_while_the_free_slots_load_is_kept(open_page):
    # A quick hand (or a slow answer) picks a slot from the list rendered with the page while the
    # chosen company's free slots are still loading; rebuilding the list used to wipe the pick, and
    # the form (slot required) then did not submit at all.
    setup = matchmaking_event(slots=4, title="产才对接·新材料专场")
    company, _rep = company_at(setup, tables=1, name="青岛海蓝新材料有限公司")
    person = confirmed_candidate(setup, full_name="周洋")
    chosen = slots_of(setup)[2]
    page = open_page(person, f"/meetings/{setup.pk}/")
    page.evaluate(f"""() => {{
        const form = document.getElementById('mm-request');
        form.elements.company.value = '{company.pk}';
        form.elements.company.dispatchEvent(new Event('change'));
        form.elements.slot.value = '{chosen.pk}';
    }}""")
    wait_js(page, f"document.getElementById('mm-request').dataset.slotsFor === '{company.pk}'")
    assert page.evaluate("document.getElementById('mm-request').elements.slot.value") == str(chosen.pk)
    assert page.evaluate("document.getElementById('mm-request').elements.slot.disabled") is False
    with page.expect_navigation():
        page.click("#mm-request button[type=submit]")
    assert page.text_content(".messages").strip() == "预约已发出，等待对方确认。"
    assert Meeting.objects.get(candidate=person).slot_id == chosen.pk
