"""Loading the legal catalogue (data/legal-articles.yaml) into LegalArticle rows: by data migration
0002 and by `manage.py load_legal_catalogue`. Idempotent: a version (code, valid_from) already loaded
is updated in place (charges keep pointing at it); versions are never deleted."""

import datetime as dt
import itertools
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).parent / "data" / "legal-articles.yaml"
VERSION_FIELDS = (
    "prison_min_months",
    "prison_max_months",
    "fine_min_fcfa",
    "fine_max_fcfa",
)


class CatalogueError(ValueError):
    pass


def parse(text: str) -> list[dict]:
    """The catalogue's article versions as LegalArticle field values; every problem at once."""
    data = yaml.safe_load(text)
    problems, out = [], []
    instruments = data.get("instruments") or {}
    seen = set()
    for entry in data.get("articles") or []:
        code, instrument = entry.get("code"), entry.get("instrument")
        if instrument not in instruments:
            problems.append(f"{code}: unknown instrument {instrument!r}")
            continue
        for v in entry.get("versions") or []:
            start, end = v.get("valid_from"), v.get("valid_to")
            if not isinstance(start, dt.date) or (end is not None and not isinstance(end, dt.date)):
                problems.append(f"{code}: valid_from/valid_to must be dates")
                continue
            if end is not None and end < start:
                problems.append(f"{code} {start}: valid_to before valid_from")
            if (code, start) in seen:
                problems.append(f"{code} {start}: version given twice")
            seen.add((code, start))
            low, high = v.get("prison_min_months"), v.get("prison_max_months")
            if low is not None and high is not None and low > high:
                problems.append(f"{code} {start}: minimum above maximum")
            if "verified" not in v:
                problems.append(f"{code} {start}: say whether the penalty is verified")
            out.append(
                {
                    "code": code,
                    "valid_from": start,
                    "instrument": instrument,
                    "instrument_title_fr": instruments[instrument]["fr"],
                    "instrument_title_en": instruments[instrument]["en"],
                    "article": v["article"],
                    "title_fr": v["fr"],
                    "title_en": v["en"],
                    "valid_to": end,
                    "life": bool(v.get("life", False)),
                    "verified": bool(v.get("verified")),
                    "forms": list(entry.get("forms") or []),
                    "source": v.get("source", ""),
                    "note": v.get("note", ""),
                    "catalogue_version": str(data.get("catalogue_version", "")),
                    **{f: v.get(f) for f in VERSION_FIELDS},
                }
            )
    # Two versions of one offence may not be in force on the same day.
    by_code: dict[str, list[dict]] = {}
    for row in out:
        by_code.setdefault(row["code"], []).append(row)
    for code, versions in by_code.items():
        versions.sort(key=lambda r: r["valid_from"])
        for a, b in itertools.pairwise(versions):
            if a["valid_to"] is None or a["valid_to"] >= b["valid_from"]:
                problems.append(f"{code}: versions from {a['valid_from']} and {b['valid_from']} overlap")
    if problems:
        raise CatalogueError(problems)
    return out


def load(model, text: str | None = None) -> tuple[int, int]:
    """(created, updated) rows."""
    rows = parse(text if text is not None else CATALOGUE.read_text(encoding="utf-8"))
    created = updated = 0
    for row in rows:
        key = {"code": row.pop("code"), "valid_from": row.pop("valid_from")}
        _obj, was_created = model.objects.update_or_create(**key, defaults=row)
        created += was_created
        updated += not was_created
    return created, updated
