"""Personal-data fields: encrypted at rest, hashed for lookup, masked for display.

`id_number = PersonalField(kind=PersonalKind.ID_CARD)` stores the ciphertext in `id_number` and
adds three sibling columns: `id_number_hash` (HMAC with a key separate from the encryption keys,
for exact lookup and de-duplication), `id_number_last4` (for search by the last four digits) and
`id_number_masked` (what lists show). Reading the attribute gives a `PersonalValue` whose `str()`
is the masked form: a template cannot print the full value by accident. The full value comes
only from `reveal()`, which callers reach through `fangxian.core.services.personal_value_reveal`
so that the access is checked and audited.

Keys come from FANGXIAN_DATA_KEYS (newest first; MultiFernet decrypts with any of them and
`fangxian rotate-keys` re-encrypts with the newest), never from SECRET_KEY, so rotating one does
not touch the other.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core import idcard


class PersonalKind(models.TextChoices):
    ID_CARD = "id_card", _("Mainland ID card")
    PASSPORT = "passport", _("Passport")
    HMT_PERMIT = "hmt_permit", _("HK/Macao/Taiwan permit")
    PHONE = "phone", _("Phone number")


MASK_WHOLE = "******"
# Every Fernet token starts so (version byte 0x80, then a timestamp whose high bytes are zero until 2106).
FERNET_TOKEN_START = "gAAAAA"  # noqa: S105 - a format marker, not a secret
PHONE_RE = re.compile(r"^(\+?86)?(1[3-9][0-9]{9})$")
LANDLINE_RE = re.compile(r"^0[1-9][0-9]{1,2}[0-9]{7,8}$")
DOCUMENT_RE = re.compile(r"^[A-Z0-9]{5,20}$")


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FANGXIAN_DATA_KEYS))


def lookup_hash(kind: str, normalized: str) -> str:
    """Keyed hash of a normalised value; the kind is mixed in so an ID and a phone never collide."""
    key = settings.FANGXIAN_HASH_KEY.encode()
    return hmac.digest(key, f"{kind}:{normalized}".encode(), "sha256").hex()


def normalize(kind: str, raw: str) -> str:
    """Validate and return the canonical form, or raise ValidationError in the user's language."""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if kind == PersonalKind.ID_CARD:
        return idcard.validate(text)
    compact = re.sub(r"[\s\-()]", "", text).upper()
    if kind == PersonalKind.PHONE:
        match = PHONE_RE.match(compact)
        if match:
            return match.group(2)
        if LANDLINE_RE.match(compact):
            return compact
        raise ValidationError(_("Enter a mobile number of 11 digits or a landline with its area code."), code="phone")
    if not DOCUMENT_RE.match(compact):
        raise ValidationError(_("A document number has 5 to 20 letters and digits."), code="document")
    return compact


def mask(kind: str, normalized: str) -> str:
    if kind == PersonalKind.ID_CARD and len(normalized) == 18:
        return f"{normalized[:6]}********{normalized[-4:]}"
    if kind == PersonalKind.PHONE and len(normalized) == 11:
        return f"{normalized[:3]}****{normalized[-4:]}"
    if len(normalized) <= 4:
        return "*" * len(normalized)
    return "*" * (len(normalized) - 4) + normalized[-4:]


def name_masked(name: str) -> str:
    """What somebody without personal-data reach sees of a name: the first character ("张三丰" -> "张**")."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def encrypt(normalized: str) -> str:
    return fernet().encrypt(normalized.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("personal value cannot be decrypted with the configured FANGXIAN_DATA_KEYS") from None


class PersonalValue:
    """A stored personal value: prints masked, reveals only on purpose."""

    __slots__ = ("kind", "ciphertext", "masked", "_plain")

    def __init__(self, kind: str, ciphertext: str, masked: str = "", plain: str | None = None) -> None:
        self.kind = kind
        self.ciphertext = ciphertext
        self.masked = masked
        self._plain = plain

    def reveal(self) -> str:
        if self._plain is None:
            self._plain = decrypt(self.ciphertext)
        return self._plain

    def __str__(self) -> str:
        return self.masked or MASK_WHOLE

    def __repr__(self) -> str:
        return f"<PersonalValue {self.kind} {self.masked or MASK_WHOLE}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PersonalValue):
            return self.ciphertext == other.ciphertext
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.ciphertext)


class PersonalField(models.TextField):
    """An encrypted personal value with its lookup hash, last four and masked form beside it."""

    def __init__(self, *args: Any, kind: str = PersonalKind.ID_CARD, index_last4: bool = True, **kwargs: Any) -> None:
        self.kind = kind
        # False where the model indexes the last four together with area_code itself (door-step
        # search): a second index on the same column would only slow every insert down.
        self.index_last4 = index_last4
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if not self.index_last4:
            kwargs["index_last4"] = False
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        if cls._meta.abstract or cls.__module__ == "__fake__":
            # Historical models in migrations declare the sibling columns themselves.
            return
        # Sibling columns live in migrations like any other field; adding them here keeps the
        # four columns from drifting apart when a model declares the personal field.
        existing = {f.name for f in cls._meta.local_fields}
        siblings = {
            f"{name}_hash": models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False),
            f"{name}_last4": models.CharField(
                max_length=4, blank=True, default="", db_index=self.index_last4, editable=False
            ),
            f"{name}_masked": models.CharField(max_length=32, blank=True, default="", editable=False),
        }
        for sibling_name, sibling in siblings.items():
            if sibling_name not in existing:
                sibling.personal_sibling_of = name
                cls.add_to_class(sibling_name, sibling)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> PersonalValue | str:
        if not value:
            return ""
        return PersonalValue(self.kind, value)

    def to_python(self, value: Any) -> Any:
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.attname)
        if isinstance(value, PersonalValue):
            if value._plain is not None and not value.ciphertext:
                value.ciphertext = encrypt(value._plain)
            return value.ciphertext
        if not value:
            self._set_siblings(model_instance, "", "", "")
            return ""
        normalized = normalize(self.kind, value)
        ciphertext = encrypt(normalized)
        masked = mask(self.kind, normalized)
        self._set_siblings(model_instance, lookup_hash(self.kind, normalized), normalized[-4:], masked)
        setattr(model_instance, self.attname, PersonalValue(self.kind, ciphertext, masked, normalized))
        return ciphertext

    def _set_siblings(self, instance: models.Model, digest: str, last4: str, masked: str) -> None:
        setattr(instance, f"{self.name}_hash", digest)
        setattr(instance, f"{self.name}_last4", last4)
        setattr(instance, f"{self.name}_masked", masked)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, PersonalValue):
            return value.ciphertext
        if isinstance(value, str) and value and not value.startswith(FERNET_TOKEN_START):
            # A clear value reaching the database without pre_save: QuerySet.update(), bulk_update() or
            # filter(). It would be stored in clear without its hash, or match nothing: refuse it.
            raise ValueError(
                f"{self.model.__name__}.{self.name}: set personal values on the instance and save() it; "
                f"look them up through {self.name}_hash"
            )
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, admin history) gets the masked form, never the clear value.
        return MASK_WHOLE

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        if value and not isinstance(value, PersonalValue):
            normalize(self.kind, value)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(
            max_length=64, required=not self.blank, **{k: v for k, v in kwargs.items() if k in {"label", "help_text"}}
        )


def personal_fields(model: type[models.Model]) -> list[PersonalField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, PersonalField)]


def with_sibling_fields(model: type[models.Model], update_fields: Any) -> Any:
    """`update_fields` plus the hash, last four and masked columns of every personal field it names.

    pre_save fills the siblings on the instance; a save limited to the personal field alone would
    otherwise leave the old person's hash and masked number in the row.
    """
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in personal_fields(model):
        if field.name in names or field.attname in names:
            names.update({f"{field.name}_hash", f"{field.name}_last4", f"{field.name}_masked"})
    return names


def hash_for(model: type[models.Model], field_name: str, raw: str) -> str:
    """The lookup hash a raw input would have, for `filter(<field>_hash=...)`; raises ValidationError."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, PersonalField)
    return lookup_hash(field.kind, normalize(field.kind, raw))
