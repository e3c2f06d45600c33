"""Pass pages: issue for a household or a member, revoke with a reason, filters, the resident's phone page, cards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.checkpoints.models import Pass
from fangxian.checkpoints.services.cards import card_font_path, pass_card, pass_card_png
from fangxian.checkpoints.services.passes import pass_token
from fangxian.checkpoints.tests.conftest import make_pass
from fangxian.core.testing import login

pytestmark = pytest.mark.django_db


def _household_url(world, label="A1") -> str:
    return reverse("checkpoints:household_passes", kwargs={"pk": world.households[label].pk})


def test_commander_issues_a_household_pass_and_sees_its_qr(world, client, person):
    login(client, world.users["commander_a"])
    page = client.get(_household_url(world)).content.decode()
    assert "王小明" in page and 'data-testid="pass-issue-form"' in page
    response = client.post(_household_url(world), {"resident": "", "days": "14"})
    issued = Pass.objects.get()
    assert response.status_code == 302 and response.url == reverse("checkpoints:pass_detail", kwargs={"pk": issued.pk})
    assert issued.resident is None and issued.household == world.households["A1"]
    assert (issued.expires_at - issued.issued_at).days == 14
    detail = client.get(response.url).content.decode()
    assert "<svg" in detail and 'data-testid="pass-card-link"' in detail


def test_grid_worker_issues_a_pass_for_one_member(world, client, person):
    login(client, world.users["grid_a1"])
    client.post(_household_url(world), {"resident": str(person.pk), "days": "30"})
    assert Pass.objects.get().resident == person


@pytest.mark.parametrize("days", ["0", "367", "abc", "9" * 400, "-1", "1.5"])
def test_bad_validity_is_refused_with_a_message(world, client, days):
    login(client, world.users["worker_a"])
    response = client.post(_household_url(world), {"resident": "", "days": days})
    assert response.status_code == 400 and not Pass.objects.exists()
    assert 'data-testid="field-error"' in response.content.decode()
    assert response.context["form"].errors["days"]


def test_a_resident_of_another_household_is_refused(world, client, person_b):
    login(client, world.users["commander_a"])
    response = client.post(_household_url(world), {"resident": str(person_b.pk), "days": "30"})
    assert response.status_code == 400 and not Pass.objects.exists()


def test_household_of_a_sibling_community_is_404(world, client):
    login(client, world.users["commander_a"])
    assert client.get(_household_url(world, "B1")).status_code == 404
    assert client.post(_household_url(world, "B1"), {"days": "30"}).status_code == 404
    assert not Pass.objects.exists()


def test_resident_may_not_issue(world, client):
    login(client, world.users["resident_a1"])
    assert client.get(_household_url(world)).status_code == 403
    assert client.post(_household_url(world), {"days": "30"}).status_code == 403


def test_revoke_needs_a_reason_and_is_immediate(world, client, person_pass):
    login(client, world.users["worker_a"])
    url = reverse("checkpoints:pass_detail", kwargs={"pk": person_pass.pk})
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400
    person_pass.refresh_from_db()
    assert person_pass.revoked_at is None
    response = client.post(url, {"reason": "x" * 201})
    assert response.status_code == 400
    response = client.post(url, {"reason": "搬离本社区"})
    assert response.status_code == 302
    person_pass.refresh_from_db()
    assert person_pass.revoked_at is not None and person_pass.revoke_reason == "搬离本社区"
    page = client.get(url).content.decode()
    assert "搬离本社区" in page and 'data-testid="pass-revoke-form"' not in page


def test_pass_list_filters_active_revoked_expired(world, client, person):
    active = make_pass(person)
    revoked = make_pass(person)
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired = make_pass(person)
    expired.expires_at = timezone.now() - dt.timedelta(hours=1)
    expired.save()
    login(client, world.users["commander_a"])

    def ids(state: str) -> set[int]:
        response = client.get(reverse("checkpoints:passes"), {"state": state})
        return {row.pk for row in response.context["object_list"]}

    assert ids("active") == {active.pk}
    assert ids("revoked") == {revoked.pk}
    assert ids("expired") == {expired.pk}
    assert ids("") == ids("<script>") == {active.pk, revoked.pk, expired.pk}
    assert client.get(reverse("checkpoints:passes"), {"q": "x" * 5000}).status_code == 200


def test_resident_sees_only_their_households_pass_on_my_pass(world, client, person_pass, person_b):
    other = make_pass(person_b)
    login(client, world.users["resident_a1"])
    response = client.get(reverse("checkpoints:my_pass"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="my-pass"') == 1 and "<svg" in page
    assert "王**" in page and "王小明" not in page
    assert client.get(reverse("checkpoints:pass_detail", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("checkpoints:pass_card", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("checkpoints:pass_card_png", kwargs={"pk": other.pk})).status_code == 404


def test_revoked_pass_is_not_on_my_pass(world, client, person_pass):
    person_pass.revoked_at = timezone.now()
    person_pass.save()
    login(client, world.users["resident_a1"])
    page = client.get(reverse("checkpoints:my_pass")).content.decode()
    assert 'data-testid="my-pass-none"' in page


def test_html_card_shows_community_masked_holder_and_print_css(world, client, person_pass):
    login(client, world.users["worker_a"])
    page = client.get(reverse("checkpoints:pass_card", kwargs={"pk": person_pass.pk})).content.decode()
    assert "@media print" in page and "王**" in page and "王小明" not in page and "<svg" in page
    assert 'data-testid="card-community"' in page


def _decode(png: bytes) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.open(io.BytesIO(png))
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_png_card_decodes_back_to_the_pass_token_and_renders_chinese(world, client, person_pass):
    pytest.importorskip("PIL")
    if card_font_path() is None:
        pytest.skip("no CJK font on this machine (fonts-noto-cjk)")
    login(client, world.users["worker_a"])
    response = client.get(reverse("checkpoints:pass_card_png", kwargs={"pk": person_pass.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    png = response.content
    assert _decode(png) == [pass_token(person_pass)]
    from PIL import Image, ImageChops

    image = Image.open(io.BytesIO(png)).convert("L")
    # The holder's line (masked Chinese name) is drawn: the text band is not blank.
    band = image.crop((40, 210, 600, 260))
    assert ImageChops.invert(band).getbbox() is not None
    # ... and drawn with glyphs, not tofu boxes: a name of other characters gives other pixels.
    card = pass_card(gate_pass=person_pass)
    other = pass_card_png(card.__class__(**{**card.__dict__, "holder": "李*"}))
    other_band = Image.open(io.BytesIO(other)).convert("L").crop((40, 210, 600, 260))
    assert ImageChops.difference(band, other_band).getbbox() is not None


def test_png_card_without_a_cjk_font_offers_the_html_card(world, client, person_pass, monkeypatch):
    from fangxian.checkpoints.services import cards

    monkeypatch.setattr(cards, "card_font_path", lambda: None)
    login(client, world.users["worker_a"])
    response = client.get(reverse("checkpoints:pass_card_png", kwargs={"pk": person_pass.pk}))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="card-unavailable"' in page
    assert reverse("checkpoints:pass_card", kwargs={"pk": person_pass.pk}) in page


def test_font_search_finds_a_cjk_font_when_installed():
    path = card_font_path()
    if path is None:
        pytest.skip("no CJK font on this machine")
    assert "CJK" in path.name or path.suffix in (".ttc", ".ttf", ".otf")
