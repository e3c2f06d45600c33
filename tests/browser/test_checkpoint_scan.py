"""A guard at the east gate, on a phone: scans a resident's pass (a photo of its QR code, decoded on the
server), records 36.5 °C and sees "allowed"; records 38.1 °C and sees the denial while the command app
already holds the fever task; records a scan with the network down, sees it waiting on the phone, and
sees it uploaded once when the network returns, and not again when the same queue is sent twice.
The camera path's decoder (the BarcodeDetector polyfill with our zxing WebAssembly) reads the same QR
image in the page, from the app's own static files."""

from __future__ import annotations

import base64
from urllib.parse import urlparse

import pytest

from fangxian.checkpoints.models import Checkpoint, GateScan
from fangxian.checkpoints.services.passes import pass_issue, pass_qr_png, pass_token
from fangxian.command.models import Task, TaskSource
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, GRID_A1, PASSWORD
from fangxian.registry.models import Resident
from tests.browser.conftest import CHROMIUM, new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _pass_png(world, tmp_path):
    commander = world.actor("commander_a")
    with acting_as(Actor.system("test")):
        person = Resident.objects.create(
            area_code=GRID_A1, household=world.households["A1"], name="王小明", sex="M", phone="13800138000"
        )
    issued = pass_issue(actor=commander, household_id=person.household_id, resident_id=person.pk, days=30)
    png = tmp_path / "pass-qr.png"
    png.write_bytes(pass_qr_png(actor=commander, pass_id=issued.pk))
    return issued, png


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


def _identify_by_photo(page, png) -> None:
    page.set_input_files("[data-testid=scan-photo]", str(png))
    page.wait_for_selector("[data-testid=scan-subject]:not([hidden])")
    # The name comes from the pass check (verify), which records nothing.
    page.wait_for_function("document.querySelector('[data-testid=scan-subject-name]').textContent === '王**'")


def _record(page, temperature: str) -> None:
    page.fill("[data-testid=scan-temperature]", temperature)
    page.click("[data-testid=scan-record]")
    page.wait_for_selector("[data-testid=scan-verdict]:not([hidden])")


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_guard_scans_a_pass_records_temperatures_and_works_offline(
    browser, live_server, live_world, screenshot_dir, tmp_path, locale
):
    gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门", location="香港中路12号")
    issued, png = _pass_png(live_world, tmp_path)
    context, page = new_page(browser, locale=locale, phone=True)
    host = urlparse(live_server.url).netloc
    outside: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlparse(request.url).netloc not in ("", host) and not request.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    try:
        _log_in(page, live_server.url, "guard_a")
        page.goto(f"{live_server.url}/checkpoints/scan/")
        assert page.input_value("[data-testid=scan-checkpoint]") == str(gate.pk)
        # localhost is a secure context: the camera button is offered, the HTTPS note is not.
        assert page.is_visible("[data-testid=scan-camera]")
        assert not page.is_visible("[data-testid=scan-no-camera]")

        # The camera's decoder reads the pass in the page, with the WebAssembly served by the app.
        data = base64.b64encode(png.read_bytes()).decode()
        decoded = page.evaluate(
            """async (data) => {
                const blob = await (await fetch("data:image/png;base64," + data)).blob();
                const codes = await new BarcodeDetector({formats: ["qr_code"]}).detect(await createImageBitmap(blob));
                return codes.map((code) => code.rawValue);
            }""",
            data,
        )
        assert decoded == [pass_token(issued)]

        # 1. A valid pass, 36.5 °C: allowed.
        _identify_by_photo(page, png)
        page.wait_for_function("document.querySelector('[data-testid=scan-subject-check]').textContent !== ''")
        page.screenshot(path=str(screenshot_dir / f"scan-pass-guard-{locale}.png"), full_page=True)
        _record(page, "36.5")
        assert "allow" in page.get_attribute("[data-testid=scan-verdict]", "class")
        if locale == "en":
            assert page.inner_text("[data-testid=scan-verdict-word]") == "Allowed"
        page.screenshot(path=str(screenshot_dir / f"scan-allowed-guard-{locale}.png"), full_page=True)
        assert GateScan.objects.filter(verdict="allow", temperature="36.5").count() == 1

        # 2. The same pass at 38.1 °C: denied, and the duty worker's task exists already.
        page.click("[data-testid=scan-next]")
        _identify_by_photo(page, png)
        _record(page, "38.1")
        assert "deny" in page.get_attribute("[data-testid=scan-verdict]", "class")
        assert page.inner_text("[data-testid=scan-verdict-alert]")
        if locale == "en":
            assert page.inner_text("[data-testid=scan-verdict-word]") == "Denied"
            assert "alerted" in page.inner_text("[data-testid=scan-verdict-alert]")
        page.screenshot(path=str(screenshot_dir / f"scan-fever-guard-{locale}.png"), full_page=True)
        assert Task.objects.filter(source=TaskSource.CHECKPOINT, area_code__startswith=COMMUNITY_A).count() == 1

        # 3. The network drops after the pass is read: the scan waits on the phone.
        page.click("[data-testid=scan-next]")
        _identify_by_photo(page, png)
        context.set_offline(True)
        page.wait_for_function("!navigator.onLine")
        _record(page, "36.6")
        assert "queued" in page.get_attribute("[data-testid=scan-verdict]", "class")
        page.wait_for_selector("[data-testid=scan-queue][data-count='1']")
        assert GateScan.objects.count() == 2
        queued = page.evaluate("() => Object.keys(localStorage).filter((k) => k.startsWith('fx-scan-queue-'))")
        queue = page.evaluate(f"() => localStorage.getItem({queued[0]!r})")
        page.screenshot(path=str(screenshot_dir / f"scan-offline-guard-{locale}.png"), full_page=True)

        # Back online: uploaded in one batch, once.
        context.set_offline(False)
        page.wait_for_selector("[data-testid=scan-queue][data-count='0']", state="attached", timeout=20000)
        assert GateScan.objects.count() == 3
        assert GateScan.objects.filter(temperature="36.6", verdict="allow").count() == 1

        # An upload cut before the phone heard the answer: the queue is still on it, and the page, opened
        # again, sends it again. Nothing is counted twice.
        page.evaluate(f"() => localStorage.setItem({queued[0]!r}, {queue!r})")
        page.reload()
        page.wait_for_selector("[data-testid=scan-queue][data-count='0']", state="attached", timeout=20000)
        page.wait_for_function("document.querySelector('[data-testid=scan-upload-result]').textContent !== ''")
        assert GateScan.objects.count() == 3
        assert Task.objects.filter(source=TaskSource.CHECKPOINT).count() == 1

        assert not outside, outside
        assert not errors, errors
    finally:
        context.close()


def test_guard_records_a_resident_without_a_pass_by_searching(browser, live_server, live_world, tmp_path):
    gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
    _pass_png(live_world, tmp_path)
    context, page = new_page(browser, locale="en", phone=True)
    try:
        _log_in(page, live_server.url, "guard_a")
        page.goto(f"{live_server.url}/checkpoints/scan/")
        page.click("[data-testid=scan-direction-out] + label")
        page.fill("[data-testid=scan-search]", "wxm")
        page.wait_for_selector("[data-testid=scan-result]")
        results = page.inner_text("[data-testid=scan-results]")
        assert "王**" in results and "王小明" not in results
        page.click("[data-testid=scan-result]")
        _record(page, "")
        assert page.inner_text("[data-testid=scan-verdict-word]") == "Allowed"
        scan = GateScan.objects.get(checkpoint=gate)
        assert scan.direction == "out" and scan.resident.name == "王小明" and scan.gate_pass_id is None
    finally:
        context.close()


def _y4m_of(png, path) -> None:
    """A short grey video of the QR image on white, as Chromium's fake camera plays it (YUV 4:2:0)."""
    from PIL import Image

    width, height = 640, 480
    code = Image.open(png).convert("L")
    code.thumbnail((400, 400))
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2 * 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + frame.tobytes() + chroma)


def test_guard_scans_a_pass_with_the_camera(browser, live_server, live_world, tmp_path):
    """Chromium's fake camera plays a real QR image: the page decodes it with our WebAssembly and records."""
    gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
    issued, png = _pass_png(live_world, tmp_path)
    video = tmp_path / "camera.y4m"
    _y4m_of(png, video)
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera_browser.new_context(
        locale="en", viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "en"}
    )
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "guard_a")
        page.goto(f"{live_server.url}/checkpoints/scan/")
        page.click("[data-testid=scan-camera]")
        page.wait_for_selector("[data-testid=scan-subject]:not([hidden])", timeout=20000)
        page.wait_for_function("document.querySelector('[data-testid=scan-subject-name]').textContent === '王**'")
        _record(page, "36.4")
        assert page.inner_text("[data-testid=scan-verdict-word]") == "Allowed"
        scan = GateScan.objects.get(checkpoint=gate)
        assert scan.gate_pass_id == issued.pk and str(scan.temperature) == "36.4"

        # The page opened once online: its service worker now holds it. With the network down the guard
        # opens it again, the camera's decoder (WebAssembly from the worker's cache) reads the pass, and
        # the scan waits on the phone until the network returns.
        page.wait_for_selector("body[data-offline-ready=true]", state="attached", timeout=20000)
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20000)
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("[data-testid=scan-page]")
        page.wait_for_function("!navigator.onLine")
        page.click("[data-testid=scan-camera]")
        page.wait_for_selector("[data-testid=scan-subject]:not([hidden])", timeout=20000)
        _record(page, "36.7")
        assert "queued" in page.get_attribute("[data-testid=scan-verdict]", "class")
        assert GateScan.objects.filter(checkpoint=gate).count() == 1
        context.set_offline(False)
        page.wait_for_selector("[data-testid=scan-queue][data-count='0']", state="attached", timeout=30000)
        assert GateScan.objects.filter(checkpoint=gate, temperature="36.7", gate_pass=issued).count() == 1
    finally:
        context.close()
        camera_browser.close()


def test_guard_lets_in_an_approved_visitor_and_a_listed_car_and_turns_back_an_unlisted_one(
    browser, live_server, live_world, screenshot_dir
):
    from fangxian.checkpoints.models import GatePolicy, VehiclePlate, Visitor
    from fangxian.command.models import Emergency

    gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
    home = live_world.households["A1"]
    with acting_as(Actor.system("test")):
        Emergency.objects.create(area_code=COMMUNITY_A, kind="epidemic", level=2, title="甲社区疫情应对")
        GatePolicy.objects.create(
            area_code=COMMUNITY_A, level=2, visitors_need_host_approval=True, vehicles_by_plate_list=True
        )
        Visitor.objects.create(
            area_code=home.area_code,
            checkpoint=gate,
            name="赵访客",
            purpose="送药",
            host_household=home,
            status="approved",
        )
        VehiclePlate.objects.create(area_code=home.area_code, household=home, plate="鲁B12345")
    context, page = new_page(browser, locale="en", phone=True)
    try:
        _log_in(page, live_server.url, "guard_a")
        page.goto(f"{live_server.url}/checkpoints/scan/")

        page.click("[data-testid=scan-visitors]")
        page.click("[data-testid=scan-result] >> text=赵**")
        assert "Approved" in page.inner_text("[data-testid=scan-subject-check]")
        _record(page, "36.5")
        assert page.inner_text("[data-testid=scan-verdict-word]") == "Allowed"
        page.screenshot(path=str(screenshot_dir / "scan-visitor-guard-en.png"), full_page=True)

        page.click("[data-testid=scan-next]")
        page.fill("[data-testid=scan-search]", "鲁B12345")
        page.click("[data-testid=scan-result] >> text=鲁B12345")
        _record(page, "")
        assert page.inner_text("[data-testid=scan-verdict-word]") == "Allowed"

        page.click("[data-testid=scan-next]")
        page.fill("[data-testid=scan-search]", "鲁B99999")
        page.wait_for_selector("[data-testid=scan-result] >> text=Not on the community's vehicle list")
        page.click("[data-testid=scan-result]")
        _record(page, "")
        assert page.inner_text("[data-testid=scan-verdict-word]") == "Denied"
        assert "list" in page.inner_text("[data-testid=scan-verdict-reason]")
    finally:
        context.close()
    rows = GateScan.objects.filter(checkpoint=gate).order_by("pk")
    assert [(row.verdict, bool(row.visitor_id), row.plate) for row in rows] == [
        ("allow", True, ""),
        ("allow", False, "鲁B12345"),
        ("deny", False, "鲁B99999"),
    ]
