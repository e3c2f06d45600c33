"""Production settings pass Django's deployment checks; secrets are never taken from the repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANGXIAN_", "DJANGO_", "DEBUG", "SECRET_KEY"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "FANGXIAN_TESTING": "false", **env_extra})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_check_deploy_prints_no_warning_with_production_settings(tmp_path):
    result = _run(
        {
            "SECRET_KEY": "x" * 20 + Fernet.generate_key().decode(),
            "FANGXIAN_DATA_KEYS": Fernet.generate_key().decode(),
            "FANGXIAN_HASH_KEY": "h" * 40,
            "FANGXIAN_PASS_KEY": "p" * 40,
            "ALLOWED_HOSTS": "fangxian.example.gov.cn",
            "FANGXIAN_VAR_DIR": str(tmp_path),
        },
        "check", "--deploy", "--fail-level", "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    result = _run({"FANGXIAN_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "dev-secrets.json").exists()


def test_development_generates_secrets_once_into_var(tmp_path):
    first = _run({"DEBUG": "true", "FANGXIAN_VAR_DIR": str(tmp_path)}, "check")
    assert first.returncode == 0, first.stderr
    secrets_file = tmp_path / "dev-secrets.json"
    content = secrets_file.read_text()
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    _run({"DEBUG": "true", "FANGXIAN_VAR_DIR": str(tmp_path)}, "check")
    assert secrets_file.read_text() == content
