"""The guard's scanning page: who may open it, the photo decode (hostile uploads), the search by hand."""

from __future__ import annotations

import io

import pytest
import segno
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from fangxian.checkpoints.models import Checkpoint
from fangxian.checkpoints.services.passes import pass_token
from fangxian.core.testing import COMMUNITY_A, login

pytestmark = pytest.mark.django_db
PAGE = "/checkpoints/scan/"
DECODE = "/checkpoints/scan/decode/"


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def decode(client, name: str, content: bytes, **headers):
    return client.post(DECODE, {"photo": upload(name, content)}, **headers)


# --- the page ------------------------------------------------------------------------------------------


def test_guard_sees_the_gates_of_their_community_only(client, world, gate, gate_b):
    Checkpoint.objects.create(area_code=COMMUNITY_A, name="已关闭西门", active=False)
    login(client, world.users["guard_a"])
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "东门" in page and "乙社区北门" not in page and "已关闭西门" not in page
    assert 'id="fx-scan-config"' in page and "zxing_reader.wasm" in page
    assert "cdn" not in page.lower() and "jsdelivr" not in page


@pytest.mark.parametrize("persona", ["grid_a1", "street1", "resident_a1", "admin", "volunteer_a"])
def test_roles_without_checkpoint_scan_get_403(client, world, gate, persona):
    login(client, world.users[persona])
    assert client.get(PAGE).status_code == 403
    assert decode(client, "qr.png", qr_png("FX1.x")).status_code == 403
    assert client.get(reverse("checkpoints:scan_search", args=[gate.pk]), {"q": "wxm"}).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_is_translated(client, world, gate):
    login(client, world.users["guard_a"])
    english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Scan passes" in english and "Photo of the code" in english


def test_the_menu_shows_the_page_to_a_guard(client, world, gate):
    login(client, world.users["guard_a"])
    assert PAGE in client.get("/home/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


# --- photo of the code -----------------------------------------------------------------------------------


def test_a_photo_of_a_pass_gives_its_token(client, world, person_pass):
    login(client, world.users["guard_a"])
    token = pass_token(person_pass)
    response = decode(client, "IMG_0001.png", qr_png(token))
    assert response.status_code == 200, response.content
    assert response.json() == {"token": token}


def test_a_jpeg_photo_named_png_still_decodes(client, world, person_pass):
    login(client, world.users["guard_a"])
    token = pass_token(person_pass)
    image = Image.open(io.BytesIO(qr_png(token))).convert("L")
    canvas = Image.new("L", (image.width + 400, image.height + 300), 230)  # the code somewhere on a table
    canvas.paste(image, (150, 120))
    jpeg = io.BytesIO()
    canvas.save(jpeg, format="JPEG", quality=85)
    response = decode(client, "photo.png", jpeg.getvalue())
    assert response.status_code == 200, response.content
    assert response.json()["token"] == token


def test_not_an_image_is_refused_in_the_users_language(client, world):
    login(client, world.users["guard_a"])
    response = decode(client, "pass.png", b"MZ\x90\x00" + b"\x00" * 200, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "photo_not_image"
    assert "is not a photo" in response.json()["message"]
    text = decode(client, "notes.txt", "出入证照片".encode(), HTTP_ACCEPT_LANGUAGE="en")
    assert text.status_code == 400 and text.json()["code"] == "photo_not_image"


def test_a_truncated_image_is_refused(client, world, person_pass):
    login(client, world.users["guard_a"])
    broken = qr_png(pass_token(person_pass))[:200]
    response = decode(client, "broken.png", broken, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["code"] == "photo_not_image"


@override_settings(FANGXIAN_MAX_UPLOAD_BYTES=50_000)
def test_a_huge_photo_is_refused_with_the_limit(client, world):
    login(client, world.users["guard_a"])
    huge = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60_000
    response = decode(client, "huge.png", huge, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (400, 413)
    assert response.json()["code"] == "upload_too_large"
    assert response.json()["message"]


def test_too_many_pixels_is_refused(client, world, monkeypatch):
    from fangxian.checkpoints.services import photo

    monkeypatch.setattr(photo, "PHOTO_MAX_PIXELS", 100 * 100)
    login(client, world.users["guard_a"])
    buffer = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buffer, format="PNG")
    response = decode(client, "big.png", buffer.getvalue(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["code"] == "photo_too_many_pixels"


def test_an_image_without_a_code_says_so(client, world):
    login(client, world.users["guard_a"])
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 180, 160)).save(buffer, format="JPEG")
    response = decode(client, "wall.jpg", buffer.getvalue(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "photo_no_code"
    assert "No QR code" in response.json()["message"]
    chinese = decode(client, "wall.jpg", buffer.getvalue(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert chinese.json()["code"] == "photo_no_code"


def test_a_qr_code_that_is_not_a_pass_says_so(client, world):
    login(client, world.users["guard_a"])
    response = decode(client, "wechat.png", qr_png("https://example.com/pay?id=1"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "photo_not_a_pass"
    assert "not a pass" in response.json()["message"]


def test_no_photo_and_get_are_refused(client, world):
    login(client, world.users["guard_a"])
    assert client.post(DECODE, {}).json()["code"] == "photo_required"
    assert client.get(DECODE).status_code == 405


# --- search by hand ----------------------------------------------------------------------------------------


def search(client, gate, query: str):
    return client.get(reverse("checkpoints:scan_search", args=[gate.pk]), {"q": query})


def test_guard_finds_a_resident_by_initials_room_or_last4_with_minimal_data(client, world, gate, person):
    login(client, world.users["guard_a"])
    for query in ("wxm", "王", "101", "1-1-101", "002X", "8000"):
        response = search(client, gate, query)
        assert response.status_code == 200, query
        results = response.json()["results"]
        assert [r["resident_id"] for r in results] == [person.pk], query
        assert results[0]["name"] == "王**"
        assert results[0]["room"] == person.household.address
        assert set(results[0]) == {"resident_id", "household_id", "name", "room"}
        assert "王小明" not in response.content.decode()


def test_a_full_id_or_phone_number_finds_nobody(client, world, gate, person):
    login(client, world.users["guard_a"])
    assert search(client, gate, "11010519491231002X").json()["results"] == []
    assert search(client, gate, "13800138000").json()["results"] == []


def test_search_stays_in_the_checkpoints_community(client, world, gate, person, person_b):
    login(client, world.users["guard_a"])
    assert search(client, gate, "ls").json()["results"] == []
    assert search(client, gate, "李").json()["results"] == []


def test_a_sibling_communitys_guard_gets_404_for_another_communitys_checkpoint(client, world, gate, person):
    login(client, world.users["guard_b"])
    response = search(client, gate, "wxm")
    assert response.status_code == 404
    assert "王" not in response.content.decode()
    missing = client.get(reverse("checkpoints:scan_search", args=[999999]), {"q": "wxm"})
    assert missing.status_code == 404 and missing.json()["code"] == response.json()["code"]


def test_commander_may_search_too(client, world, gate, person):
    login(client, world.users["commander_a"])
    assert len(search(client, gate, "wxm").json()["results"]) == 1


def test_the_page_records_through_the_scan_api(client, world, gate, person_pass):
    """The page's script posts to these URLs with the session and CSRF; the config names them."""
    login(client, world.users["guard_a"])
    config = client.get(PAGE).context["scan_config"]
    assert config["scan_url"] == "/api/v1/checkpoints/scans"
    assert config["batch_url"] == "/api/v1/checkpoints/scans/batch"
    assert config["search_url"].endswith("/0/search/")
    assert config["strings"]["allowed"]


def test_the_service_worker_is_served_under_the_page_without_login_and_names_only_static_files(client):
    response = client.get("/checkpoints/scan/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/checkpoints/scan/"' in body and "zxing_reader.wasm" in body and "scan.js" in body
    # Scans (POST) and API answers never pass through its cache.
    assert 'request.method !== "GET"' in body and "/api/" not in body


def _visitor(world, gate, name="赵访客", **extra):
    from fangxian.checkpoints.models import Visitor

    return Visitor.objects.create(
        area_code=world.households["A1"].area_code,
        checkpoint=gate,
        name=name,
        purpose="探亲",
        host_household=world.households["A1"],
        **extra,
    )


def test_a_plate_in_the_search_box_is_a_vehicle_saying_whether_it_is_listed(client, world, gate):
    from fangxian.checkpoints.models import VehiclePlate

    VehiclePlate.objects.create(
        area_code=world.households["A1"].area_code, household=world.households["A1"], plate="鲁B12345"
    )
    login(client, world.users["guard_a"])
    assert search(client, gate, "鲁b 12345").json()["results"] == [{"plate": "鲁B12345", "listed": True}]
    assert search(client, gate, "鲁BD12345").json()["results"] == [{"plate": "鲁BD12345", "listed": False}]


def test_a_visitors_name_finds_the_visitors_of_the_last_day_masked(client, world, gate):
    from django.utils import timezone

    visitor = _visitor(world, gate)
    _visitor(world, gate, name="赵旧客", created_at=timezone.now() - timezone.timedelta(days=3))
    login(client, world.users["guard_a"])
    response = search(client, gate, "赵")
    rows = [row for row in response.json()["results"] if "visitor_id" in row]
    assert [row["visitor_id"] for row in rows] == [visitor.pk]
    assert rows[0]["name"] == "赵**" and rows[0]["status"] == "pending" and rows[0]["room"]
    assert "赵访客" not in response.content.decode()
    listed = client.get(reverse("checkpoints:scan_search", args=[gate.pk]), {"visitors": "1"}).json()["results"]
    assert [row["visitor_id"] for row in listed] == [visitor.pk]


def test_another_communitys_guard_finds_no_visitor_and_no_plate_listing(client, world, gate, gate_b):
    _visitor(world, gate)
    login(client, world.users["guard_b"])
    assert client.get(reverse("checkpoints:scan_search", args=[gate.pk]), {"visitors": "1"}).status_code == 404
    assert client.get(reverse("checkpoints:scan_search", args=[gate_b.pk]), {"visitors": "1"}).json()["results"] == []
    assert search(client, gate_b, "赵").json()["results"] == []


def test_a_guard_on_a_shift_starts_at_that_gate(client, world, gate):
    from django.utils import timezone

    from fangxian.checkpoints.models import GuardShift

    west = Checkpoint.objects.create(area_code=COMMUNITY_A, name="西门")
    now = timezone.now()
    GuardShift.objects.create(
        area_code=COMMUNITY_A,
        checkpoint=west,
        guard=world.users["guard_a"],
        starts_at=now - timezone.timedelta(hours=1),
        ends_at=now + timezone.timedelta(hours=1),
    )
    GuardShift.objects.create(  # tomorrow's shift at the east gate does not count
        area_code=COMMUNITY_A,
        checkpoint=gate,
        guard=world.users["guard_a"],
        starts_at=now + timezone.timedelta(days=1),
        ends_at=now + timezone.timedelta(days=1, hours=8),
    )
    login(client, world.users["guard_a"])
    response = client.get(PAGE)
    assert response.context["scan_config"]["on_duty_checkpoint"] == west.pk
    login(client, world.users["commander_a"])
    assert client.get(PAGE).context["scan_config"]["on_duty_checkpoint"] is None


def test_the_commanders_notice_of_the_policy_in_force_is_on_the_scan_page(client, world, gate, epidemic):
    from fangxian.checkpoints.models import GatePolicy

    login(client, world.users["guard_a"])
    assert client.get(PAGE).context["scan_config"]["notices"] == {}
    GatePolicy.objects.create(area_code=COMMUNITY_A, level=2, notice="凭出入证每户每2天1人外出")
    assert client.get(PAGE).context["scan_config"]["notices"] == {str(gate.pk): "凭出入证每户每2天1人外出"}
