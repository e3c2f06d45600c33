"""Development secrets, generated once into `var/` and never committed.

A production deployment passes SECRET_KEY, FANGXIAN_DATA_KEYS, FANGXIAN_HASH_KEY and
FANGXIAN_PASS_KEY in the environment. For the embedded demo and the tests we still want real keys
(so that encryption is exercised for real), but nobody should have to invent them: they are
created on first run, and a key added by a later version is added to an existing file.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from pathlib import Path


def _new_secrets() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "hash_key": secrets.token_urlsafe(32),
        # Signs the QR tokens of gate passes (fangxian.checkpoints.tokens).
        "pass_key": secrets.token_urlsafe(32),
    }


def load_or_create_dev_secrets(var_dir: Path) -> dict[str, str]:
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-secrets.json"
    if path.exists():
        return _with_missing_keys(path, json.loads(path.read_text()))
    values = _new_secrets()
    # Exclusive create: two processes starting together must not end up with different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _with_missing_keys(path, json.loads(path.read_text()))
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def _with_missing_keys(path: Path, values: dict[str, str]) -> dict[str, str]:
    """Add keys that a newer version needs to a file written by an older one, keeping the others.

    Under a lock, reading again inside it: two processes starting together must agree on the key.
    """
    if all(name in values for name in _new_secrets()):
        return values
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values = json.loads(path.read_text())
        missing = {name: value for name, value in _new_secrets().items() if name not in values}
        if missing:
            values.update(missing)
            scratch = path.with_suffix(".tmp")
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(values, handle)
            os.replace(scratch, path)
    return values
