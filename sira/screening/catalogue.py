"""A parsed, validated indicator catalogue. Catalogues are data (YAML); this module only reads them and
refuses malformed ones with messages that say what is wrong where."""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import get_language
from django.utils.translation import gettext as _

SETS = ("adult_labour", "adult_sexual", "child_labour", "child_sexual")
CATEGORIES = ("contextual", "general", "specific")
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6")


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(value: dict, language: str | None = None) -> str:
    lang = (language or get_language() or "fr")[:2]
    return value.get(lang) or value.get("fr") or ""


@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    element: str | None
    dimension: str | None
    forms: tuple[str, ...]
    label: dict
    question: dict
    guidance: dict
    mode: str
    adult: bool
    child: bool
    strength: dict
    maps_to: tuple[str, ...]
    verification: str

    @property
    def is_ilo(self) -> bool:
        return self.dimension is not None

    @property
    def field_name(self) -> str:
        """The XLSForm / import column name: ids made safe for XML names."""
        return self.id.lower().replace("-", "_")

    def text(self, attr: str, language: str | None = None) -> str:
        return _text(getattr(self, attr), language)

    def applies(self, *, child: bool, forms: list[str]) -> bool:
        if not (self.child if child else self.adult):
            return False
        if "all" in self.forms:
            return True
        if not forms:  # nothing suspected yet: every general question, no form-specific one
            return self.category != "specific"
        return bool(set(self.forms) & set(forms))


class CatalogueData:
    """What every catalogue version's data offers, whether indicator items (2026.1) or a question
    bank (2026.2 on): bilingual texts, the forms of exploitation, the urgent flags and the rules."""

    data: dict

    def text(self, value: dict, language: str | None = None) -> str:
        return _text(value, language)

    @cached_property
    def forms(self) -> list[dict]:
        return self.data["exploitation_forms"]

    @cached_property
    def urgent_flags(self) -> list[dict]:
        return self.data["urgent_flags"]

    @property
    def rules(self) -> dict:
        return self.data["rules"]


@dataclass(frozen=True)
class Catalogue(CatalogueData):
    version: str
    data: dict = field(repr=False)
    indicators: dict[str, Indicator] = field(repr=False)

    @cached_property
    def dimensions(self) -> list[dict]:
        return self.data["dimensions"]

    @cached_property
    def scorable_sets(self) -> set[str]:
        """Scorable only if every ILO indicator has a known strength in the set ("absent" is known)."""
        return {
            s
            for s in SETS
            if all(i.strength.get(s) is not None for i in self.indicators.values() if i.is_ilo)
        }

    @cached_property
    def closures(self) -> dict[str, frozenset[str]]:
        """Every indicator (or wildcard such as ACT-*) each indicator evidences, itself included."""
        result = {}
        for start in self.indicators:
            seen, stack = {start}, [start]
            while stack:
                current = stack.pop()
                if current in self.indicators:
                    for target in self.indicators[current].maps_to:
                        if target not in seen:
                            seen.add(target)
                            stack.append(target)
            result[start] = frozenset(seen)
        return result

    def set_kind(self, forms: list[str]) -> list[str]:
        sexual = set(self.data["scoring_sets"]["sexual"])
        kinds = {"sexual" if f in sexual else "labour" for f in forms}
        return sorted(kinds) or [self.data["scoring_sets"]["default"]]

    def with_families(self, forms: list[str]) -> list[str]:
        """The suspected forms plus their families, so general questions are asked for specific forms."""
        families = self.data.get("form_family", {})
        return sorted(
            set(forms) | {families[kind] for kind in self.set_kind(forms) if forms and kind in families}
        )

    def questions(self, *, child: bool, forms: list[str]) -> list[Indicator]:
        expanded = self.with_families(forms)
        return [i for i in self.indicators.values() if i.applies(child=child, forms=expanded)]


def _is_wildcard(target: str, indicators) -> bool:
    """`ACT-*` in maps_to means "evidences an act" without naming which one."""
    return target.endswith("*") and any(i.startswith(target[:-1]) for i in indicators)


def parse(data: dict):
    """A catalogue version: the indicator catalogue (2026.1) or a question bank (2026.2 on)."""
    if data.get("schema") == "question_bank":
        from sira.screening.bank import parse as parse_bank

        return parse_bank(data)
    problems: list[str] = []
    for key in (
        "version",
        "indicators",
        "rules",
        "dimensions",
        "exploitation_forms",
        "urgent_flags",
        "outcomes",
    ):
        if key not in data:
            problems.append(_("The catalogue has no “%(key)s” section.") % {"key": key})
    if problems:
        raise CatalogueError(problems)
    strengths = data.get("strength_values", {})
    form_ids = {f["id"] for f in data["exploitation_forms"]} | {"all"}
    indicators: dict[str, Indicator] = {}
    for n, raw in enumerate(data["indicators"], start=1):
        where = raw.get("id") or _("indicator no. %(n)d") % {"n": n}
        try:
            item = Indicator(
                id=raw["id"],
                category=raw["category"],
                element=raw.get("element"),
                dimension=raw.get("dimension"),
                forms=tuple(raw.get("forms") or ()),
                label=raw["label"],
                question=raw["question"],
                guidance=raw.get("guidance") or raw["label"],
                mode=raw.get("mode", "ask"),
                adult=bool(raw["applies_to"]["adult"]),
                child=bool(raw["applies_to"]["child"]),
                strength={s: (raw.get("strength") or {}).get(s) for s in SETS},
                maps_to=tuple(raw.get("maps_to") or ()),
                verification=raw.get("verification", ""),
            )
        except (KeyError, TypeError) as exc:
            problems.append(_("%(where)s: missing field %(field)s.") % {"where": where, "field": exc})
            continue
        if item.id in indicators:
            problems.append(_("%(where)s: the id is used twice.") % {"where": where})
        if item.category not in CATEGORIES:
            problems.append(
                _("%(where)s: unknown category “%(value)s”.") % {"where": where, "value": item.category}
            )
        if item.dimension is not None and item.dimension not in DIMENSIONS:
            problems.append(
                _("%(where)s: unknown dimension “%(value)s”.") % {"where": where, "value": item.dimension}
            )
        for value in item.strength.values():
            if value is not None and value not in strengths:
                problems.append(
                    _("%(where)s: unknown strength “%(value)s”.") % {"where": where, "value": value}
                )
        if set(item.forms) - form_ids:
            problems.append(_("%(where)s: unknown form of exploitation.") % {"where": where})
        if not (
            item.label.get("fr")
            and item.label.get("en")
            and item.question.get("fr")
            and item.question.get("en")
        ):
            problems.append(_("%(where)s: French and English texts are both required.") % {"where": where})
        indicators[item.id] = item
    for item in indicators.values():
        unknown = [t for t in item.maps_to if t not in indicators and not _is_wildcard(t, indicators)]
        if unknown:
            problems.append(
                _("%(where)s: maps to unknown indicators %(ids)s.") % {"where": item.id, "ids": unknown}
            )
    if problems:
        raise CatalogueError(problems)
    return Catalogue(version=str(data["version"]), data=data, indicators=indicators)
