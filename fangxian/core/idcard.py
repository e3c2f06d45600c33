"""Mainland resident identity card numbers (GB 11643-1999).

Deliberately not python-stdnum's `cn.ric.validate`: it checks the region code against today's
division list and so rejects real IDs of people born before their district got its current code,
who are exactly the elderly residents a community most needs to reach. We check the structure,
the birth date and the ISO 7064 MOD 11-2 check character, and accept the 81/82/83 prefixes of
residence permits for Hong Kong, Macao and Taiwan residents.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID18_RE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
ID15_RE = re.compile(r"^[1-9][0-9]{14}$")
# First digit of a province code: 1 north, 2 north-east, 3 east, 4 central-south, 5 south-west,
# 6 north-west, 7 Taiwan, 8 residence permits for HK (81), Macao (82) and Taiwan (83).
VALID_FIRST_TWO = re.compile(r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])")


def check_char(first17: str) -> str:
    if len(first17) != len(WEIGHTS):
        raise ValueError("an ID number has 17 digits before its check character")
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def normalize(raw: str) -> str:
    """Full-width to half-width, drop spaces and dashes, upper-case the check character."""
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"[\s\-]", "", text).upper()


@dataclass(frozen=True)
class IdCardInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F": the 17th digit is odd for men.


def parse(raw: str, *, today: dt.date | None = None) -> IdCardInfo:
    """Validate and return the 18-digit number with what it tells; a 15-digit one is upgraded."""
    number = normalize(raw)
    if ID15_RE.match(number):
        # First-generation cards: no century, no check character.
        body = number[:6] + "19" + number[6:]
        number = body + check_char(body)
    if not ID18_RE.match(number):
        raise ValidationError(_("An ID card number has 18 characters: 17 digits and a digit or X."), code="id_format")
    if not VALID_FIRST_TWO.match(number):
        raise ValidationError(_("This ID card number starts with an unknown province code."), code="id_region")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this ID card number does not exist."), code="id_birth") from None
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, no time zone involved
    if birth > today or birth.year < 1880:
        raise ValidationError(_("The birth date inside this ID card number is impossible."), code="id_birth")
    if check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of this ID card number is wrong: please compare it with the card."),
            code="id_check",
        )
    return IdCardInfo(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def validate(raw: str) -> str:
    return parse(raw).number
