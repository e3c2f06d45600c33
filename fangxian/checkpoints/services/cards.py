"""The printable pass card (出入证): a PNG with the community, the holder's masked name, room, validity and QR.

Chinese text needs a font that covers CJK. Debian's fonts-noto-cjk puts Noto Sans CJK under
/usr/share/fonts/opentype/noto/; the card looks for it there first, then for any CJK font under
/usr/share/fonts. Without one (or without Pillow) it raises `CardUnavailable`, and the page offers
the printable HTML card, which the browser draws with its own fonts.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.checkpoints.models import Pass
from fangxian.checkpoints.models.gates import COMMUNITY_LENGTH
from fangxian.checkpoints.services.passes import pass_token
from fangxian.core.errors import DomainError
from fangxian.core.personal import name_masked

FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Preferred first: the sans face of Noto CJK, then other families known to cover Chinese.
FONT_PATTERNS = ("NotoSansCJK*.ttc", "NotoSansCJK*.otf", "NotoSerifCJK*.ttc", "*wqy*.tt?", "DroidSansFallback*.ttf")
CARD_WIDTH, CARD_HEIGHT = 640, 1000
TEXT_TOP = 60


class CardUnavailable(DomainError):
    code = "card_unavailable"
    status = 503


@functools.cache
def card_font_path() -> Path | None:
    """A font file covering Chinese, found by a small search of the system's font folders."""
    for pattern in FONT_PATTERNS:
        for root in FONT_ROOTS:
            if root.is_dir():
                found = sorted(root.rglob(pattern))
                regular = [path for path in found if "Regular" in path.name] or found
                if regular:
                    return regular[0]
    return None


@dataclass(frozen=True)
class PassCard:
    """What a card shows: nothing more than a guard would see, plus the validity."""

    community: str
    holder: str
    room: str
    valid_from: str
    valid_until: str
    token: str
    revoked: bool
    expired: bool


def pass_card(*, gate_pass: Pass) -> PassCard:
    """The card's content for a pass the caller already read through `visible_to`."""
    community = Area.objects.filter(code=gate_pass.area_code[:COMMUNITY_LENGTH]).values_list("name", flat=True).first()
    holder = name_masked(gate_pass.resident.name) if gate_pass.resident_id else _("Whole household")
    local = timezone.localtime
    return PassCard(
        community=community or "",
        holder=holder,
        room=gate_pass.household.address,
        valid_from=f"{local(gate_pass.issued_at):%Y-%m-%d}",
        valid_until=f"{local(gate_pass.expires_at):%Y-%m-%d %H:%M}",
        token=pass_token(gate_pass),
        revoked=gate_pass.revoked_at is not None,
        expired=gate_pass.expires_at <= timezone.now(),
    )


def pass_card_png(card: PassCard) -> bytes:
    """Draw the card as a PNG; `CardUnavailable` without Pillow or a CJK font."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise CardUnavailable(_("The server cannot draw cards (Pillow is missing): print the HTML card.")) from None
    font_path = card_font_path()
    if font_path is None:
        raise CardUnavailable(
            _("The server has no font for Chinese text (install fonts-noto-cjk): print the HTML card.")
        )
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), "white")
    draw = ImageDraw.Draw(image)

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(font_path), size=size, index=_sc_index(font_path))

    draw.rectangle((0, 0, CARD_WIDTH - 1, CARD_HEIGHT - 1), outline="#1f2d3d", width=6)
    draw.rectangle((0, 0, CARD_WIDTH, 150), fill="#1f2d3d")
    y = TEXT_TOP - 30
    draw.text((CARD_WIDTH // 2, y + 30), _fit(card.community, 20), fill="white", font=font(40), anchor="mt")
    draw.text((CARD_WIDTH // 2, y + 90), _("Pass"), fill="white", font=font(30), anchor="mt")
    y = 180
    for label, value, limit in (
        (_("Holder"), card.holder, 24),
        (_("Room"), card.room, 24),
        (_("Valid"), f"{card.valid_from} — {card.valid_until}", 32),
    ):
        draw.text((40, y), label, fill="#555555", font=font(24))
        draw.text((40, y + 32), _fit(value, limit), fill="black", font=font(34))
        y += 90
    qr = segno.make(card.token, error="m")
    # A whole number of pixels per module: scaling afterwards would make uneven modules.
    scale = max(1, 460 // qr.symbol_size(scale=1, border=4)[0])
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    side = code.width
    image.paste(code, ((CARD_WIDTH - side) // 2, y + 10))
    note = _("Show this at the gate")
    if card.revoked:
        note = _("Revoked: not valid")
    elif card.expired:
        note = _("Expired: not valid")
    draw.text(
        (CARD_WIDTH // 2, y + side + 30),
        note,
        fill="#b02a37" if card.revoked or card.expired else "black",
        font=font(30),
        anchor="mt",
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sc_index(path: Path) -> int:
    """Noto's .ttc holds JP, KR, SC, TC, HK faces; index 2 is Simplified Chinese."""
    return 2 if path.suffix == ".ttc" and "CJK" in path.name else 0
