"""The scanner page in headless Chromium: a real QR image through the fake camera gives a green
answer and the dashboard (a second page, real WebSocket) counts it; offline scans are queued,
checked locally and synced when the network returns."""

import io

import pytest
from PIL import Image

from checkin.models import Checkin
from checkin.tickets import ticket_qr_png
from tests.browser_support import ARTIFACTS, LAUNCH_ARGS, PHONE, wait_js, wait_live
from tests.factories import organizer, team_member
from tests.liveserver import session_cookie_for

from .helpers import open_event, paired_device, ticket_and_code

W, H = 640, 480


def write_y4m(path, png: bytes, frames: int = 20) -> None:
    """A y4m video (what Chromium's fake camera plays) of the QR in the middle of a white frame."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    scale = min(1.0, (H - 40) / qr.height)
    qr = qr.resize((int(qr.width * scale), int(qr.height * scale)), Image.NEAREST)
    frame = Image.new("RGB", (W, H), "white")
    frame.paste(qr.convert("RGB"), ((W - qr.width) // 2, (H - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (W // 2, H // 2)
    data = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + data)


def launch(playwright, chromium, extra=()):
    return playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS + list(extra))


def phone_context(browser, site, *, user=None, token=None, permissions=()):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        permissions=list(permissions),
    )
    if user is not None:
        context.add_cookies([{"name": n, "value": v, "url": site.url} for n, v in session_cookie_for(user).items()])
    if token:
        context.add_init_script(f"window.localStorage.setItem('boju.checkin.token', {token!r});")
    return context


@pytest.fixture
def scene(transactional_db):
    event = open_event(title="博士后专场招聘会（青岛站）")
    editor = organizer(name="王主办")
    team_member(event, editor)
    _device, token = paired_device(editor, [event])
    ticket, code = ticket_and_code(event)
    return event, editor, token, ticket, code


def test_fake_camera_scan_turns_green_and_dashboard_counts_it(
    scene, chromium, asgi_server_factory, tmp_path, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import os

    event, editor, token, ticket, code = scene
    site = asgi_server_factory(redis_url=os.environ.get("REDIS_URL", ""))
    video = tmp_path / "qr.y4m"
    write_y4m(video, ticket_qr_png(code))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(
            p,
            chromium,
            [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        dash_ctx = phone_context(browser, site, user=editor)
        dash = dash_ctx.new_page()
        dash.goto(f"{site.url}/console/events/{event.pk}/checkin/")
        wait_live(dash)
        wait_js(dash, "document.querySelector('[data-checked-in]').textContent === '0'")
        scan_ctx = phone_context(browser, site, token=token, permissions=["camera"])
        page = scan_ctx.new_page()
        page.goto(f"{site.url}/checkin/scan/")
        page.wait_for_selector(f"[data-event-select] option[value='{event.pk}']", state="attached")
        page.fill("[data-gate]", "东门")
        page.dispatch_event("[data-gate]", "change")
        page.screenshot(path=str(ARTIFACTS / "checkin-scanner-ready.png"))
        page.click("[data-camera-start]")
        page.wait_for_selector("[data-answer].is-ok", timeout=15_000)
        assert page.text_content("[data-answer-title]") == "签到成功"
        assert page.text_content("[data-answer-detail]") == ticket.registration.user.display_name
        page.screenshot(path=str(ARTIFACTS / "checkin-scanner-ok.png"))
        wait_js(dash, "document.querySelector('[data-checked-in]').textContent === '1'", timeout=5_000)
        dash.wait_for_selector("[data-recent] tr td.r-ok")
        dash.wait_for_timeout(1800)  # the debounced snapshot redraws gates and hours
        dash.screenshot(path=str(ARTIFACTS / "checkin-dashboard.png"), full_page=True)
        # The same code again (typed this time) is refused in red with when and where.
        page.fill("[data-code]", code)
        page.press("[data-code]", "Enter")
        page.wait_for_selector("[data-answer].is-bad[data-result='already_checked_in']")
        assert "东门" in page.text_content("[data-answer-detail]")
        page.screenshot(path=str(ARTIFACTS / "checkin-scanner-duplicate.png"))
        no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_sideways
        browser.close()
    checkin = Checkin.objects.get(ticket=ticket)
    assert (checkin.gate, checkin.offline) == ("东门", False)


def test_offline_scan_is_queued_then_synced(scene, chromium, asgi_server_factory, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    event, editor, token, ticket, code = scene
    other, other_code = ticket_and_code(event)
    site = asgi_server_factory()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p, chromium)
        context = phone_context(browser, site, token=token)
        page = context.new_page()
        page.goto(f"{site.url}/checkin/scan/")
        wait_js(page, "document.querySelector('[data-bundle-info]').textContent.length > 0")
        context.set_offline(True)
        page.wait_for_selector("[data-net].off")
        page.fill("[data-code]", code)
        page.press("[data-code]", "Enter")
        page.wait_for_selector("[data-answer].is-ok")
        title = page.text_content("[data-answer-title]")
        assert title == "签到成功 · 离线", title  # verified with WebCrypto Ed25519, not "未验签"
        forged = code[:-6] + ("AAAAAA" if not code.endswith("AAAAAA") else "BBBBBB")
        page.fill("[data-code]", forged)
        page.press("[data-code]", "Enter")
        page.wait_for_selector("[data-answer].is-bad[data-result='invalid']")
        page.fill("[data-code]", other_code)
        page.press("[data-code]", "Enter")
        page.wait_for_selector("[data-answer].is-ok")
        assert page.get_attribute("#checkin-scanner", "data-pending-count") == "2"
        page.screenshot(path=str(ARTIFACTS / "checkin-scanner-offline.png"))
        assert Checkin.objects.count() == 0
        context.set_offline(False)
        page.wait_for_selector("#checkin-scanner[data-pending-count='0']", timeout=15_000)
        browser.close()
    checkins = Checkin.objects.filter(checkin_list__event=event).order_by("ticket_id")
    assert [(c.ticket_id, c.offline) for c in checkins] == sorted([(ticket.pk, True), (other.pk, True)])
