"""A photo of a pass's QR code, decoded on the server (for phones whose browser may not use the camera).

Browsers open the camera only on HTTPS or localhost; a community's server on a plain-HTTP intranet
address gets no camera, but every phone can take a photo through a file input. The photo is checked
like every upload (`upload_check`: size, content sniffed from its first bytes, no programs), opened
with Pillow only as PNG, JPEG, GIF or WebP, refused beyond a pixel count (decompression bombs), scaled
down, and decoded with zxing-cpp. Nothing is stored: the answer is the code's text, which the page then
records as a scan through the scan service like a camera scan.
"""

from __future__ import annotations

import warnings
from typing import IO

import zxingcpp
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from fangxian.checkpoints.tokens import TOKEN_MAX_LENGTH, TOKEN_PREFIX
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.core.uploads import UploadRejected, upload_check, upload_safe_name

PHOTO_MAX_BYTES = 10 * 1024 * 1024
# A 48-megapixel phone photo is 8000 x 6000; anything beyond is not a photo of a pass.
PHOTO_MAX_PIXELS = 50_000_000
# The QR code of a pass is tiny; a smaller image decodes faster and as well.
DECODE_MAX_SIDE = 2000
IMAGE_KINDS = ("png", "jpeg", "gif", "webp")
PILLOW_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")


def _not_an_image(name: str) -> DomainError:
    return DomainError(
        _("“%(name)s” is not a photo. Take a photo of the pass's QR code (JPEG or PNG).") % {"name": name},
        code="photo_not_image",
        field="photo",
    )


def pass_photo_decode(*, actor: Actor, photo: IO[bytes], name: str = "") -> str:
    """The text of the pass QR code in `photo`, or a DomainError saying in the user's language what is wrong.

    Codes: `photo_not_image`, `upload_too_large`, `upload_empty`, `photo_too_many_pixels`,
    `photo_no_code` (no QR code found), `photo_not_a_pass` (a QR code, but not a fangxian pass).
    """
    if not actor.can("checkpoint.scan"):
        raise PermissionDenied(_("Your role may not record gate scans."))
    name = upload_safe_name(name or getattr(photo, "name", "") or "photo")
    try:
        upload_check(photo, name=name, max_bytes=PHOTO_MAX_BYTES, kinds=IMAGE_KINDS)
    except UploadRejected as problem:
        if problem.code in ("upload_too_large", "upload_empty"):
            raise DomainError(problem.message, code=problem.code, field="photo") from None
        # A picture whose name does not match its kind ("IMG_1.jpg" that is a PNG) is still a picture:
        # nothing is stored, so only the content matters.
        if problem.code != "upload_type_mismatch":
            raise _not_an_image(name) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(photo, formats=PILLOW_FORMATS)
            width, height = image.size
            if width * height > PHOTO_MAX_PIXELS:
                raise DomainError(
                    _("The photo has too many pixels (%(megapixels)s million); at most %(max)s million.")
                    % {"megapixels": round(width * height / 1_000_000), "max": PHOTO_MAX_PIXELS // 1_000_000},
                    code="photo_too_many_pixels",
                    field="photo",
                )
            image.draft("L", (DECODE_MAX_SIDE, DECODE_MAX_SIDE))  # JPEG: decode at a smaller scale
            image = image.convert("L")
            image.thumbnail((DECODE_MAX_SIDE, DECODE_MAX_SIDE))
    except DomainError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError):
        raise _not_an_image(name) from None
    codes = zxingcpp.read_barcodes(image)
    texts = [code.text for code in codes if code.text]
    if not texts:
        raise DomainError(
            _("No QR code was found in the photo. Hold the phone closer, keep the code flat and in the light."),
            code="photo_no_code",
            field="photo",
        )
    for text in texts:
        text = text.strip()
        if text.startswith(TOKEN_PREFIX + ".") and len(text) <= TOKEN_MAX_LENGTH:
            return text
    raise DomainError(
        _("This QR code is not a pass of this platform. Ask for the resident's pass, or search by name or room."),
        code="photo_not_a_pass",
        field="photo",
    )
