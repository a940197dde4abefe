"""A small synthetic catalogue for rule tests: per dimension two strong, three medium and three weak
indicators (labour sets known, sexual sets unknown), with the rule data of the shipped catalogue."""

import copy
from functools import cache
from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "catalogue-2026.1.yaml"


@cache
def shipped_data() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _item(
    id_, *, category="general", dimension=None, element=None, strength=None, maps_to=(), forms=("all",)
):
    text = {"fr": f"{id_} (fr)", "en": f"{id_} (en)"}
    return {
        "id": id_,
        "category": category,
        "element": element,
        "dimension": dimension,
        "forms": list(forms),
        "label": text,
        "question": text,
        "mode": "ask",
        "applies_to": {"adult": True, "child": True},
        "strength": strength,
        "maps_to": list(maps_to),
    }


def synthetic_data(sexual_known: bool = False) -> dict:
    shipped = shipped_data()
    data = {
        k: copy.deepcopy(shipped[k])
        for k in (
            "rules",
            "dimensions",
            "exploitation_forms",
            "urgent_flags",
            "outcomes",
            "scoring_sets",
            "strength_values",
        )
    }
    data["version"] = "test-1"
    items = [_item("ACT-01", element="act"), _item("CTX-01", category="contextual", element="context")]
    for dim in ("D1", "D2", "D3", "D4", "D5", "D6"):
        for level, count in (("strong", 2), ("medium", 3), ("weak", 3)):
            for n in range(1, count + 1):
                sexual = level if sexual_known else None
                strength = {
                    "adult_labour": level,
                    "child_labour": level,
                    "adult_sexual": sexual,
                    "child_sexual": sexual,
                }
                items.append(_item(f"{dim}-{level[0].upper()}{n}", dimension=dim, strength=strength))
    items += [
        _item("UN-01", maps_to=["D5-S1", "D5-S2"]),
        _item("UN-02", maps_to=["D5-S1"]),
        _item("UN-ACT", maps_to=["ACT-*"]),
        _item("SPEC-SEX", category="specific", forms=["sexual_exploitation"]),
        _item("MLI-BEG-01", category="specific", forms=["forced_begging"]),
    ]
    data["indicators"] = items
    return data
