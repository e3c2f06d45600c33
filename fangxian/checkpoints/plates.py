"""Chinese licence plates (车牌号): normalise what a guard types, refuse what cannot be a plate.

Formats accepted (the province abbreviation first, then the letter of the issuing office, which
is never I or O; the letters I and O never appear in the serial either, they read as 1 and 0):

* ordinary, 7 characters: 鲁B12345, 鲁BA2345, 京AC0D12;
* new-energy, 8 characters: small cars with D (electric) or F (hybrid) third, 京AD12345, 京AF1A234;
  large vehicles with D or F last, 京A12345D;
* special suffixes, 7 characters: police 鲁B1234警, coaching 鲁B1234学, trailers 鲁B1234挂,
  Hong Kong and Macao 粤Z1234港 / 粤Z1234澳, consulates 沪A1234领.

Military and embassy plates (own prefixes, not a province) are not accepted: they do not belong to
a household's plate list.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTER = "A-HJ-NP-Z"  # no I, no O
SERIAL = f"[{LETTER}0-9]"
PLATE_RE = re.compile(
    rf"^[{PROVINCES}][{LETTER}]"
    rf"(?:{SERIAL}{{5}}"  # ordinary
    rf"|[DF]{SERIAL}[0-9]{{4}}"  # new energy, small
    rf"|[0-9]{{5}}[DF]"  # new energy, large
    rf"|{SERIAL}{{4}}[警学挂港澳领])$"  # special suffixes
)
PLATE_MAX_LENGTH = 8
# What people write between the parts: 京A·12345, 京A-12345, 京A 12345.
_SEPARATORS = re.compile(r"[\s·•\-.．・]")


def plate_normalize(raw: str) -> str:
    """The canonical form of a plate, or ValidationError: full-width to half-width, upper case, no separators."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw or ""))).upper()
    if len(text) > PLATE_MAX_LENGTH or not PLATE_RE.match(text):
        raise ValidationError(
            _("“%(value)s” is not a Chinese licence plate (for example 鲁B12345, or 鲁BD12345 for a new-energy car)."),
            code="plate",
            params={"value": str(raw)[:20]},
        )
    return text


def validate_plate(value: str) -> None:
    """Model-field validator: the stored value must already be canonical."""
    if plate_normalize(value) != value:
        raise ValidationError(_("Store the plate in its canonical form."), code="plate_form")
