"""Every string shown to people is in the catalogue, and the Chinese catalogue is complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "fangxian" / "locale"


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_chinese_catalogue_is_complete():
    catalogue = _catalogue("zh_Hans")
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[.\d]*[sdf]|\{\{ *\w+ *\}\}")
    for entry in _catalogue("zh_Hans").translated_entries():
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in translations:
            assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(text)), entry.msgid


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is needed to extract strings")
def test_no_string_is_missing_from_the_catalogue(tmp_path):
    """Extract the strings afresh into a scratch copy and compare with the committed catalogue."""
    scratch = tmp_path / "fangxian"
    shutil.copytree(ROOT / "fangxian", scratch, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    env = {"FANGXIAN_TESTING": "true", "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT),
           "PATH": "/usr/bin:/bin", "FANGXIAN_VAR_DIR": str(tmp_path / "var"),
           # makemessages writes into LOCALE_PATHS[0]: point it at the scratch copy, never the real one.
           "FANGXIAN_LOCALE_DIR": str(scratch / "locale")}
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
                   cwd=scratch, env=env, check=True, capture_output=True)
    fresh = {e.msgid for e in polib.pofile(str(scratch / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    committed = {e.msgid for e in _catalogue("zh_Hans")}
    missing = sorted(fresh - committed)
    assert not missing, f"strings not in the catalogue (run `make messages` and translate): {missing[:20]}"
