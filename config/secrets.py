"""Development secrets, generated once into `var/` and never committed.

A production deployment passes SECRET_KEY, FANGXIAN_DATA_KEYS and FANGXIAN_HASH_KEY in the
environment. For the embedded demo and the tests we still want real keys (so that encryption is
exercised for real), but nobody should have to invent them: they are created on first run.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def _new_secrets() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "hash_key": secrets.token_urlsafe(32),
    }


def load_or_create_dev_secrets(var_dir: Path) -> dict[str, str]:
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = _new_secrets()
    # Exclusive create: two processes starting together must not end up with different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return json.loads(path.read_text())
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values
