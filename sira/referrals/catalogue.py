"""The service catalogue and the special pathways, read from data/ (configurable without code)."""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import get_language

from sira.core.vocab import label, terms

DATA = Path(__file__).parent / "data"


@cache
def _read(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def service_types() -> dict[str, dict]:
    """Each service code with its settings (deadline_days, urgent_hours, places, packet), site
    overrides applied (SIRA_REFERRAL_DEADLINES)."""
    overrides = getattr(settings, "SIRA_REFERRAL_DEADLINES", {}) or {}
    return {code: {**conf, **overrides.get(code, {})} for code, conf in _read("service_types.yaml").items()}


def service_label(code: str) -> str:
    return label("service_type", code)


def service_choices() -> list[tuple[str, str]]:
    return [(code, term.label()) for code, term in terms("service_type").items()]


def pathways() -> dict[str, dict]:
    return _read("pathways.yaml")


def pathway_label(code: str) -> str:
    item = pathways().get(code)
    if not item:
        return ""
    return item["label_en"] if (get_language() or "fr").startswith("en") else item["label_fr"]


def pathway_choices() -> list[tuple[str, str]]:
    return [(code, pathway_label(code)) for code in pathways()]
