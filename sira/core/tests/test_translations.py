"""Every user-facing message exists in French and English: a new string without a translation, a
fuzzy entry, a stale compiled catalogue or a picklist row without both labels fails here."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from sira.core.vocab import DATA_FILE

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ["fr", "en"]
EXTRACT_IGNORES = [
    "--ignore=.venv",
    "--ignore=var",
    "--ignore=conftest.py",
    "--ignore=*/tests/*",
    "--ignore=sira/testing/*",
]


def untranslated(po: polib.POFile) -> list[str]:
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        values = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        # A "#|" previous msgid means the entry was matched from an older text: it needs review.
        if "fuzzy" in entry.flags or entry.previous_msgid or not all(values):
            missing.append(entry.msgid)
    return missing


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_is_complete(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    assert untranslated(po) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    po = {e.msgid: e.msgstr or dict(e.msgstr_plural) for e in polib.pofile(str(folder / "django.po"))}
    mo = {
        e.msgid: e.msgstr or dict(e.msgstr_plural) for e in polib.mofile(str(folder / "django.mo")) if e.msgid
    }
    assert mo == po, "run `make messages` to recompile"


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed (apt-get install gettext)"
)
def test_every_message_in_the_source_is_translated(tmp_path):
    """Re-extract the messages from a copy of the source tree and check nothing is new or untranslated."""
    for name in ["sira", "templates", "locale"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    env = {
        **os.environ,
        "SIRA_DEBUG": "1",
        "SIRA_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "sira.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "-l",
            "en",
            "--no-obsolete",
            *EXTRACT_IGNORES,
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        po = polib.pofile(str(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
        assert untranslated(po) == [], f"untranslated in {language}: run `make messages` and translate"


def test_every_picklist_value_has_french_and_english_labels():
    with DATA_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 150
    assert [r["code"] for r in rows if not (r["label_fr"].strip() and r["label_en"].strip())] == []
    assert len({(r["list"], r["code"]) for r in rows}) == len(rows), "duplicate code in a list"


def test_pages_switch_language(client, awa):
    client.force_login(awa)
    french = client.get("/accounts/dashboard/").content.decode()
    assert "Tableau de bord" in french and 'lang="fr"' in french
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/dashboard/"})
    english = client.get("/accounts/dashboard/").content.decode()
    assert "Dashboard" in english and 'lang="en"' in english
