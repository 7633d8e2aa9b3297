"""The live final in a real browser: a judge scores on a phone-sized page, the public screen
shows the progress (never a score) and then, without a reload, the revealed results."""

import pytest

from competitions.models import Assignment, Round
from competitions.services import live_advance, live_order_set, round_open
from tests.browser_support import ARTIFACTS, wait_js, wait_live

from .factories import a_competition, a_judge, a_round, an_entry, boss

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_judge_scores_on_phone_and_screen_updates_live_after_reveal(open_page, site):
    competition, organizer = a_competition(), boss()
    first = an_entry(competition, title="海洋牧场水下巡检机器人", organisation="中国海洋大学")
    second = an_entry(competition, title="固态氢储运材料与装置", organisation="青岛大学")
    judges = [
        a_judge(competition, organisation="山东大学", name="周明远"),
        a_judge(competition, organisation="复旦大学", name="孙立群"),
    ]
    round_ = a_round(competition, kind=Round.Kind.LIVE, k=2, name="决赛（现场路演）", advance_count=2)
    for judge in judges:
        for entry in (first, second):
            Assignment.objects.create(round=round_, judge=judge, entry=entry)
    live_order_set(round_=round_, actor=organizer, entry_ids=[first.pk, second.pk])
    round_open(round_=round_, actor=organizer)
    live_advance(round_=round_, actor=organizer, position=1)

    screen = open_page(None, f"/competitions/{competition.pk}/screen/")
    wait_live(screen)
    wait_js(screen, "document.querySelector('[data-current]').textContent === '海洋牧场水下巡检机器人'")
    screen.evaluate("window.__notReloaded = true")

    phone = open_page(judges[0].user, f"/competitions/{competition.pk}/live/")
    assert phone.viewport_size == {"width": 390, "height": 844}
    assert phone.text_content("[data-on-stage]").strip() == "海洋牧场水下巡检机器人"
    inputs = phone.locator(".score-form input[type=number]")
    for index, value in enumerate(["7.5", "3.5", "9"]):
        inputs.nth(index).fill(value)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "competitions-judge-phone.png"), full_page=True)
    phone.click(".score-form button[type=submit]")
    phone.wait_for_selector("text=您的加权总分：67.500")
    # The screen hears that one of two judges scored, and nothing of the score.
    wait_js(screen, "document.querySelector('[data-progress]').textContent.includes('1 / 2')", timeout=15_000)
    assert "67.5" not in screen.content()
    assert screen.is_hidden("[data-results]")

    # The organizer closes judging, computes and reveals, from the console in another browser.
    console = open_page(organizer, f"/console/competitions/rounds/{round_.pk}/")
    for action in ("close", "compute", "reveal"):
        console.click(f"button[value={action}]")
        console.wait_for_load_state()
    screen.wait_for_selector("[data-results]:not([hidden])", timeout=15_000)
    rows = screen.locator("[data-results-body] tr")
    assert rows.count() == 2
    assert rows.nth(0).text_content() == "1海洋牧场水下巡检机器人67.500"
    assert screen.evaluate("window.__notReloaded === true")
    screen.screenshot(path=str(ARTIFACTS / "competitions-screen-phone.png"), full_page=True)


def test_phone_screens_fit_390px(open_page, site):
    competition, organizer = a_competition(), boss()
    entry = an_entry(competition, title="深远海养殖网箱智能监测与防腐涂层", organisation="中国海洋大学")
    judge = a_judge(competition, organisation="山东大学", name="周明远")
    round_ = a_round(competition, k=1, name="初赛（网络评审）")
    assignment = Assignment.objects.create(round=round_, judge=judge, entry=entry)
    round_open(round_=round_, actor=organizer)
    screens = [
        (None, f"/competitions/{competition.pk}/", "detail"),
        (entry.lead, f"/competitions/{competition.pk}/enter/", "enter"),
        (entry.lead, f"/competitions/entries/{entry.pk}/", "entry"),
        (judge.user, "/competitions/judging/", "judging"),
        (judge.user, f"/competitions/judging/{assignment.pk}/", "scorecard"),
        (organizer, f"/console/competitions/rounds/{round_.pk}/", "console-round"),
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    for user, path, name in screens:
        page = open_page(user, path)
        page.screenshot(path=str(ARTIFACTS / f"competitions-{name}-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
