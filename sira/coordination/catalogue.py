"""The coordination catalogues (axes, activity kinds, actor kinds, audiences, topics, channels, radio
languages, sectors, funding sources), read from data/catalogues.yaml: configurable without code."""

from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

DATA = Path(__file__).parent / "data"


@cache
def _all() -> dict[str, dict[str, dict[str, str]]]:
    return yaml.safe_load((DATA / "catalogues.yaml").read_text(encoding="utf-8"))


def codes(name: str) -> list[str]:
    return list(_all()[name])


def label(name: str, code: str, language: str | None = None) -> str:
    item = _all()[name].get(code)
    if item is None:
        return code
    language = language or get_language() or "fr"
    return item["en"] if language.startswith("en") else item["fr"]


def choices(name: str) -> list[tuple[str, str]]:
    return [(code, label(name, code)) for code in codes(name)]


def find(name: str, text) -> str | None:
    """The code whose code or French or English label is `text` (case and spaces ignored), for imports."""
    wanted = " ".join(str(text or "").split()).casefold()
    for code, item in _all()[name].items():
        if wanted in (code.casefold(), item["fr"].casefold(), item["en"].casefold()):
            return code
    return None
