"""The organizer's floor-plan editor in real Chromium against a real ASGI server: a booth dragged
with the mouse lands on the grid cell it was dropped on (in the database), a new booth is placed
by clicking the grid and renamed, and a move the server refuses puts the booth back."""

import pytest

from fairs.models import Booth

from ..browser_support import ARTIFACTS
from ..liveserver import session_cookie_for
from .factories import booths, fair_with_booths

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

CELL = 26  # static/js/fairs-map.js: pixels per grid cell at scale 1
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def editor(browser, site):
    """editor(fair) -> the console floor-plan page for the fair's organizer, on a desktop screen."""
    contexts = []

    def open_(fair):
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        context.add_cookies(
            [{"name": n, "value": v, "url": site.url} for n, v in session_cookie_for(fair.boss).items()]
        )
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{site.url}/console/fairs/{fair.pk}/")
        page.wait_for_selector("#floor-editor svg.hall-svg g[data-booth]")
        page.errors = errors
        return page

    yield open_
    for context in contexts:
        context.close()


def cell_point(page, x: float, y: float) -> tuple[float, float]:
    """The viewport point of grid position (x, y) in cells (fractions allowed), however the SVG is scaled."""
    box = page.locator("#floor-editor svg.hall-svg").bounding_box()
    width = float(page.get_attribute("#floor-editor svg.hall-svg", "width"))
    scale = box["width"] / width
    return box["x"] + x * CELL * scale, box["y"] + y * CELL * scale


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A real mouse drag: press, move in steps (pointermove events), release."""
    page.mouse.move(*cell_point(page, *start))
    page.mouse.down()
    page.mouse.move(*cell_point(page, *end), steps=12)
    page.mouse.up()


def saved(page, code: str) -> None:
    page.wait_for_selector(f"[data-status]:not(.is-error):has-text('已保存 {code}')", timeout=10_000)


def test_drag_a_booth_to_a_new_cell_then_add_and_rename_one(editor):
    # One hall of 18×4 cells, booths of 2×2 cells at x = 0, 3, 6 on the top row.
    fair = fair_with_booths(3, columns=6, side=2)
    first = booths(fair)[0]
    assert (first.code, first.x, first.y, first.width, first.height) == ("A-1", 0, 0, 2, 2)
    page = editor(fair)

    # Grab A-1 in its middle (cell 1,1) and drop it 10 cells right and 1 down: it lands at (10, 1).
    drag(page, (1.5, 1.5), (11.5, 2.5))
    saved(page, "A-1")
    first.refresh_from_db()
    assert (first.x, first.y, first.version) == (10, 1, 1)
    # Redrawn from the server's answer where it was dropped, not where the drag began.
    assert page.get_attribute('g[data-code="A-1"]', "transform") == f"translate({10 * CELL},{1 * CELL})"
    # Reloading shows the stored place.
    page.reload()
    page.wait_for_selector('g[data-code="A-1"]')
    assert page.get_attribute('g[data-code="A-1"]', "transform") == f"translate({10 * CELL},{1 * CELL})"

    # Add: "添加展位", then a click on an empty cell places a 2×2 booth there with the next free code.
    page.click('[data-mode="add"]')
    assert page.text_content("[data-status]").strip() == "点击网格空白处放置新展位。"
    page.mouse.click(*cell_point(page, 14.5, 2.5))
    saved(page, "A-01")
    added = Booth.objects.get(hall__fair=fair, code="A-01")
    assert (added.x, added.y, added.width, added.height) == (14, 2, 2, 2)

    # Rename it in the form that opened for it.
    page.wait_for_selector("[data-booth-form]:not([hidden])")
    assert page.input_value("[data-booth-form] [name=code]") == "A-01"
    page.fill("[data-booth-form] [name=code]", "b-12")
    page.fill("[data-booth-form] [name=zone]", "海洋科技")
    page.click("[data-booth-form] button[type=submit]")
    saved(page, "B-12")
    added.refresh_from_db()
    assert (added.code, added.zone, added.x, added.y) == ("B-12", "海洋科技", 14, 2)
    assert page.input_value("[data-booth-form] [name=code]") == "B-12"  # the form shows what was stored
    assert page.locator('g[data-code="B-12"]').count() == 1 and page.locator('g[data-code="A-01"]').count() == 0

    # Back in move mode, the renamed booth drags like any other.
    page.click('[data-mode="move"]')
    drag(page, (15.2, 3.2), (13.2, 1.2))
    saved(page, "B-12")
    added.refresh_from_db()
    assert (added.x, added.y) == (12, 0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fairs-editor-drag.png"), full_page=True)
    assert page.errors == []


def test_a_drop_outside_the_hall_is_refused_and_the_booth_goes_back(editor):
    fair = fair_with_booths(3, columns=6, side=2)
    third = booths(fair)[2]
    assert (third.code, third.x, third.y) == ("A-3", 6, 0)
    page = editor(fair)
    # Dropped three rows lower (released just below the grid: the booth keeps the pointer), so its
    # lower half would hang out of the 4-row hall: the server refuses, the editor says so.
    drag(page, (7.2, 1.2), (7.2, 4.5))
    page.wait_for_selector("[data-status].is-error")
    assert page.text_content("[data-status]").startswith("保存失败：")
    third.refresh_from_db()
    assert (third.x, third.y, third.version) == (6, 0, 0)
    assert page.get_attribute('g[data-code="A-3"]', "transform") == f"translate({6 * CELL},0)"
    assert page.errors == []


def test_a_drop_onto_another_booth_is_refused_with_its_code(editor):
    fair = fair_with_booths(3, columns=6, side=2)
    first, second = booths(fair)[:2]
    assert (first.x, second.x) == (0, 3)
    page = editor(fair)
    # A-1 (cells 0–1) dragged two cells right would cover cells 2–3, half of A-2.
    drag(page, (1.2, 1.2), (3.2, 1.2))
    page.wait_for_selector("[data-status].is-error")
    assert "A-2" in page.text_content("[data-status]")
    first.refresh_from_db()
    assert (first.x, first.y, first.version) == (0, 0, 0)
    assert page.get_attribute('g[data-code="A-1"]', "transform") == "translate(0,0)"
    assert page.errors == []
