"""Reference picklists (HTCDS v2.0 + Mali extensions) read from data/vocabularies.csv.

Labels exist in French and English in the data file itself, so choices follow the active language
without gettext catalogues, and a corrected label is a data change, not a code change."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.functional import lazy
from django.utils.translation import get_language

DATA_FILE = Path(__file__).parent / "data" / "vocabularies.csv"


@dataclass(frozen=True)
class Term:
    code: str
    htcds_value: str
    label_en: str
    label_fr: str
    extension_note: str

    def label(self, language: str | None = None) -> str:
        lang = (language or get_language() or "fr")[:2]
        return self.label_en if lang == "en" else self.label_fr


@cache
def _all() -> dict[str, dict[str, Term]]:
    lists: dict[str, dict[str, Term]] = {}
    with DATA_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row.pop("list")
            lists.setdefault(name, {})[row["code"]] = Term(**row)
    return lists


def terms(name: str) -> dict[str, Term]:
    return _all()[name]


def label(name: str, code: str, language: str | None = None) -> str:
    term = _all()[name].get(code)
    return term.label(language) if term else code


lazy_label = lazy(label, str)


def choices(name: str) -> list[tuple[str, str]]:
    """Django choices whose labels are resolved in the language active when rendered."""
    return [(code, lazy_label(name, code)) for code in terms(name)]


def htcds_value(name: str, code: str) -> str:
    term = _all()[name].get(code)
    return term.htcds_value if term else ""


def list_names() -> list[str]:
    return list(_all())
