"""FANGXIAN_PASS_KEY: a development file written before the key existed gains it, and keeps the others."""

from __future__ import annotations

import json

from config.secrets import load_or_create_dev_secrets


def test_an_older_dev_secrets_file_gains_the_pass_key(tmp_path):
    older = {"secret_key": "s" * 50, "data_keys": "d" * 44, "hash_key": "h" * 43}
    (tmp_path / "dev-secrets.json").write_text(json.dumps(older))
    values = load_or_create_dev_secrets(tmp_path)
    assert {k: values[k] for k in older} == older and len(values["pass_key"]) >= 40
    # Stored, so the next process signs with the same key.
    assert load_or_create_dev_secrets(tmp_path)["pass_key"] == values["pass_key"]
    assert json.loads((tmp_path / "dev-secrets.json").read_text())["pass_key"] == values["pass_key"]
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o777 == 0o600


def test_a_new_dev_secrets_file_has_the_pass_key(tmp_path):
    assert load_or_create_dev_secrets(tmp_path)["pass_key"]
