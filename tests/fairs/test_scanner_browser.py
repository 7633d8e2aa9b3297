"""The booth scanner in headless Chromium with a fake camera that shows a real ticket QR: the
visit is recorded and the page says who it was; a typed code works too."""

import io

import pytest
import qrcode
from PIL import Image

from checkin.tickets import ticket_code, ticket_for_registration
from fairs.models import BoothVisit

from ..browser_support import ARTIFACTS, LAUNCH_ARGS, PHONE, wait_js
from ..factories import RegistrationFactory, candidate
from ..liveserver import session_cookie_for
from .factories import approved_booking, booths, fair_with_booths, member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def fake_camera(path, text: str) -> None:
    """A y4m video (Chromium's fake camera) of 20 frames showing the QR of `text` (TESTING.md)."""
    qr = qrcode.QRCode(box_size=8, border=4)
    qr.add_data(text)
    picture = qr.make_image(fill_color="black", back_color="white").convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(picture, ((640 - picture.width) // 2, (480 - picture.height) // 2))
    ycbcr = frame.convert("RGB").convert("YCbCr")
    y, cb, cr = ycbcr.split()
    cb, cr = cb.resize((320, 240)), cr.resize((320, 240))
    body = io.BytesIO()
    body.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
    for _ in range(20):
        body.write(b"FRAME\n" + y.tobytes() + cb.tobytes() + cr.tobytes())
    path.write_bytes(body.getvalue())


def test_booth_scanner_reads_a_ticket_from_the_camera(chromium, site, tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    fair = fair_with_booths(1, title="海洋科技领域博士后专场招聘会")
    company, staff = member(name="青岛蓝湾海洋科技研究院有限公司")
    approved_booking(fair, booths(fair)[0], company)
    person = candidate(consent_share=True, full_name="林晓", institution="中国海洋大学")
    registration = RegistrationFactory(event=fair.event, user=person, status="confirmed")
    code = ticket_code(ticket_for_registration(registration))
    video = tmp_path / "qr.y4m"
    fake_camera(video, code)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=LAUNCH_ARGS
            + [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", permissions=["camera"])
            context.add_cookies(
                [{"name": k, "value": v, "url": site.url} for k, v in session_cookie_for(staff).items()]
            )
            page = context.new_page()
            page.goto(f"{site.url}/company/fairs/{fair.pk}/scan/")
            page.wait_for_selector("[data-result].is-ok", timeout=20_000)
            assert page.text_content("[data-result]").strip() == "已记录：林晓（中国海洋大学）"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "fairs-scanner-camera-phone.png"), full_page=True)
            # Held up a few seconds, the same QR is one scan (the page waits before resending it).
            page.wait_for_timeout(1500)
            visit = BoothVisit.objects.get(fair=fair, company=company, visitor=person)
            assert (visit.scans, visit.shared) == (1, True)
            # A typed code (a phone without a camera) goes the same way.
            page.fill("#scan-code", code)
            page.click(".scan-form button")
            wait_js(
                page,
                "document.querySelector('[data-result]').textContent.trim() === '再次到访：林晓（中国海洋大学）'",
                timeout=10_000,
            )
            visit.refresh_from_db()
            assert visit.scans == 2
        finally:
            browser.close()
