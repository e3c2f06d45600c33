"""The character-class rule that Chinese government systems (等保) ask of passwords."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = max(1, min(4, min_classes))

    def validate(self, password: str, user: object = None) -> None:
        if sum(1 for pattern in CLASSES if pattern.search(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_character_classes")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower-case, upper-case, digits, symbols.",
            "Your password must mix at least %(n)d kinds of characters: lower-case, upper-case, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's rule with our wording, which our catalogue translates (Django 5.2 changed its own)."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must have at least %(n)d character.",
            "This password is too short. It must have at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must have at least %(n)d character.",
            "Your password must have at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}
