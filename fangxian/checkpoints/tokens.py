"""The QR token of a pass: signed, expiring, and carrying no personal data.

    FX1.<public id>.<expiry, epoch seconds in base 36>.<HMAC-SHA256, first 16 bytes, base64url>

* `FX1` names the format, so that a later format can be told apart.
* The public id is 16 random URL-safe characters; it is the only link to the pass row. A photo of
  somebody's QR code reveals nothing about them.
* The expiry lets a phone (or the server) refuse an old code before any database lookup.
* The MAC covers everything before it, with `FANGXIAN_PASS_KEY` (never SECRET_KEY: rotating
  Django's key must not void every printed pass). 128 bits are plenty against forgery and keep the
  code small enough to scan fast in poor light.

A valid signature is not enough: the pass is then looked up, and a revoked pass is refused at once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

TOKEN_PREFIX = "FX1"  # noqa: S105 - a format marker, not a secret
TOKEN_MAX_LENGTH = 100
MAC_BYTES = 16
PUBLIC_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")
EXPIRY_RE = re.compile(r"^[0-9a-z]{1,13}$")
MAC_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


class TokenInvalid(Exception):
    """The token is malformed or its signature does not match (tampered, or another key)."""


@dataclass(frozen=True)
class TokenContent:
    public_id: str
    expires_at: dt.datetime


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _mac(message: str) -> str:
    digest = hmac.digest(settings.FANGXIAN_PASS_KEY.encode(), message.encode(), hashlib.sha256)[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def pass_token_make(public_id: str, expires_at: dt.datetime) -> str:
    if not PUBLIC_ID_RE.match(public_id):
        raise ValueError("not a pass public id")
    body = f"{TOKEN_PREFIX}.{public_id}.{_base36(int(expires_at.timestamp()))}"
    return f"{body}.{_mac(body)}"


def pass_token_read(token: str) -> TokenContent:
    """Check the form and the signature (in constant time); raise TokenInvalid otherwise.

    Expiry is the caller's to compare (with the time of the scan, which for an offline upload is
    not now). Well-signed tokens are remembered (per key): the same pass is scanned many times a
    day, and a batch reads each token twice.
    """
    if not isinstance(token, str) or len(token) > TOKEN_MAX_LENGTH:
        raise TokenInvalid("too long")
    return _read_signed(token, settings.FANGXIAN_PASS_KEY)


@lru_cache(maxsize=8192)
def _read_signed(token: str, _key: str) -> TokenContent:
    """`pass_token_read` for a token of acceptable length; `_key` keeps a key change from reusing answers."""
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX:
        raise TokenInvalid("not a pass token")
    _prefix, public_id, expiry, mac = parts
    if not (PUBLIC_ID_RE.match(public_id) and EXPIRY_RE.match(expiry) and MAC_RE.match(mac)):
        raise TokenInvalid("malformed")
    if not hmac.compare_digest(_mac(f"{TOKEN_PREFIX}.{public_id}.{expiry}"), mac):
        raise TokenInvalid("bad signature")
    try:
        expires_at = dt.datetime.fromtimestamp(int(expiry, 36), tz=dt.UTC)
    except (OverflowError, ValueError, OSError):
        raise TokenInvalid("expiry out of range") from None
    return TokenContent(public_id=public_id, expires_at=expires_at)
