"""Loading catalogue versions: from the shipped data file (data migration), from a file given to
`manage.py load_catalogue`, or from the admin. A version is loaded once and never changed."""

import hashlib
from pathlib import Path

import yaml

from sira.screening.catalogue import CatalogueError, parse

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses the catalogue 10× faster
SHIPPED = Path(__file__).parent / "data" / "catalogue-2026.1.yaml"
BANK = Path(__file__).parent / "data" / "catalogue-2026.2.yaml"  # the question bank, current from 2026.2


def read(text: str) -> dict:
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader, C or Python)
    except yaml.YAMLError as exc:
        raise CatalogueError([f"YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise CatalogueError(["The file does not hold a catalogue."])
    parse(data)  # validate before anything is stored
    return data


def store(model, text: str, *, make_current: bool = True, loaded_by=None):
    """Create the version (refusing a version number already loaded) and optionally make it current."""
    data = read(text)
    version = str(data["version"])
    if model.objects.filter(version=version).exists():
        raise CatalogueError([f"Version {version} is already loaded; give the new catalogue a new version."])
    if make_current:
        model.objects.filter(is_current=True).update(is_current=False)
    return model.objects.create(
        version=version,
        data=data,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        loaded_by=loaded_by,
        is_current=make_current,
    )


def load_shipped(model) -> None:
    if not model.objects.exists():
        store(model, SHIPPED.read_text(encoding="utf-8"))


def load_bank(model) -> None:
    """Data migration 0004: the question bank becomes the current version; older ones stay loaded."""
    text = BANK.read_text(encoding="utf-8")
    if not model.objects.filter(version=str(read(text)["version"])).exists():
        store(model, text, make_current=True)
