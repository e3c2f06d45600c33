"""Values measured on people, checked the same way wherever they are typed: at a gate, at home."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from fangxian.core.errors import DomainError

TEMPERATURE_MIN, TEMPERATURE_MAX = Decimal("30.0"), Decimal("45.0")


def body_temperature(value: Any) -> Decimal | None:
    """A body temperature to one decimal (None when empty); DomainError `temperature` for anything else."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("The temperature is not a number."), code="temperature", field="temperature") from None
    if not TEMPERATURE_MIN <= number <= TEMPERATURE_MAX:
        raise DomainError(
            _("A body temperature lies between %(low)s and %(high)s °C.")
            % {"low": TEMPERATURE_MIN, "high": TEMPERATURE_MAX},
            code="temperature",
            field="temperature",
        )
    return number
