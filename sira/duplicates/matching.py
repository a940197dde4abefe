"""Finding probable duplicates with the keyed name tokens (sira.core.names, cases.PersonNameToken):
the new person's names, held in clear by the worker registering them, become the tokens another
record would hold for each way of writing them; the other records are read as tokens, sex, ages and
places only — nothing of another organisation's rows is decrypted.

Blocking: a candidate must hold, for two of the new person's name parts (one for a one-word name),
one of the part's blocking tokens (its phonetic key's first four letters, or a known variant's), so
a common first name alone never brings thousands of candidates. Scoring is rules.score."""

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Value, When

from sira.cases.models import NAME_FIELDS, Case, Person, PersonNameToken, RouteStop
from sira.core import names
from sira.core.crypto import blind_indexes
from sira.duplicates import rules

BLOCK_LETTERS = rules.PREFIX_MIN_LETTERS
_TAG = {
    names.EXACT: "w",
    names.PHONETIC: "s",
    names.PREFIX: "p",
    names.PHONETIC_PREFIX: "sp",
    names.TYPO: "d",
}


@functools.cache
def _aliases() -> dict[str, frozenset[str]]:
    groups = yaml.safe_load((Path(__file__).parent / "data" / "name_variants.yaml").read_text())
    out: dict[str, set[str]] = {}
    for group in groups:
        keys = {names.phonetic(w) for w in group}
        for key in keys:
            out.setdefault(key, set()).update(keys - {key})
    return {k: frozenset(v) for k, v in out.items()}


def aliases(key: str) -> frozenset[str]:
    return _aliases().get(key, frozenset())


def _tokens(kind: int, value: str) -> tuple[str, ...]:
    return tuple(blind_indexes(f"{_TAG[kind]}:{value}"))


def _word_slips(word: str) -> tuple[str, ...]:
    """The word-level typo tokens another spelling one slip away holds (sira.core.names)."""
    forms = [word, *names.deletions(word)]
    return tuple(t for f in forms for t in blind_indexes(f"{names.WORD_TYPO_TAG}:{f}"))


@dataclass(frozen=True)
class PartQuery:
    """One name part as the tokens other records would hold for it, by similarity."""

    tiers: tuple[tuple[float, tuple[str, ...]], ...]  # best first
    prefixes: tuple[tuple[int, tuple[str, ...]], ...]  # (letters, tokens), longest first
    key_length: int
    block: tuple[str, ...]
    # The same groups as sets, for a test of intersection at C speed.
    tier_sets: tuple[tuple[float, frozenset], ...] = ()
    prefix_sets: tuple[tuple[int, frozenset], ...] = ()


@functools.lru_cache(maxsize=50_000)
def part_query(word: str) -> PartQuery:
    key = names.phonetic(word)
    tiers = [(rules.EXACT, _tokens(names.EXACT, word)), (rules.PHONETIC, _tokens(names.PHONETIC, key))]
    alias_keys = sorted(aliases(key))
    if alias_keys:
        tiers.append((rules.ALIAS, tuple(t for a in alias_keys for t in _tokens(names.PHONETIC, a))))
    slips = names.deletions(key)
    if slips:  # one typing slip apart: a deletion shared, or one key the other's deletion
        typo = _tokens(names.TYPO, key) + tuple(
            t for d in slips for t in _tokens(names.TYPO, d) + _tokens(names.PHONETIC, d)
        )
        tiers.append((rules.TYPO, typo + _word_slips(word)))
    elif len(word) >= names.TYPO_MIN:
        tiers.append((rules.TYPO, _word_slips(word)))
    prefixes = tuple(
        (n, _tokens(names.PHONETIC_PREFIX, key[:n]) + _tokens(names.PHONETIC, key[:n]))
        for n in range(len(key) - 1, BLOCK_LETTERS - 1, -1)
        if n <= names.PREFIX_MAX
    )
    block: list[str] = []
    for k in [key, *alias_keys]:
        head = k[:BLOCK_LETTERS]
        block += _tokens(names.PHONETIC, head)
        if len(k) >= BLOCK_LETTERS:  # a longer key holds its head as a prefix token
            block += _tokens(names.PHONETIC_PREFIX, head)
    return PartQuery(
        tuple(tiers),
        prefixes,
        len(key),
        tuple(dict.fromkeys(block)),
        tuple((v, frozenset(g)) for v, g in tiers),
        tuple((n, frozenset(g)) for n, g in prefixes),
    )


def query_parts(*name_values) -> list[PartQuery]:
    return [part_query(p) for p in names.name_parts(*name_values) if len(p) >= 2]


def part_similarity(part: PartQuery, tokens) -> float:
    """The best similarity of one part with a record holding `tokens` (keyed tokens: a set, or a
    dict token → kind)."""
    held = tokens.keys() if isinstance(tokens, dict) else tokens
    for value, group in part.tier_sets:
        if not held.isdisjoint(group):
            return value
    for letters, group in part.prefix_sets:
        if not held.isdisjoint(group):
            # The other key is at least `letters + 1` long when it holds the prefix only; the longer
            # of the two decides the ratio.
            return rules.prefix_similarity(letters, max(part.key_length, letters + 1))
    return 0.0


def key_token(part: PartQuery) -> str:
    """The part's own phonetic-key token (under the newest key): its frequency says how common it is."""
    return part.tiers[1][1][0]


def similarities(parts: list[PartQuery], tokens) -> list[float]:
    return [part_similarity(p, tokens) for p in parts]


def count_parts(token_kinds) -> int:
    """How many name parts a record has, from its tokens: one exact-word token per part."""
    return sum(1 for kind in token_kinds if kind == names.EXACT)


# ---------------------------------------------------------------------------------------------------
# In the database: candidates for one new person, across every organisation.


def candidate_person_ids(parts: list[PartQuery], *, exclude_person_ids=(), limit: int = 500) -> list[int]:
    """Persons holding a blocking token of enough of the new person's name parts."""
    if not parts:
        return []
    needed = 1 if len(parts) == 1 else 2
    whens = [When(token__in=p.block, then=Value(i)) for i, p in enumerate(parts)]
    everything = [t for p in parts for t in p.block]
    rows = (
        PersonNameToken.objects.filter(token__in=everything)
        .exclude(person_id__in=list(exclude_person_ids))
        .annotate(part=SqlCase(*whens, output_field=IntegerField()))
        .values("person_id")
        .annotate(n=Count("part", distinct=True))
        .filter(n__gte=needed)
        .values_list("person_id", flat=True)[:limit]
    )
    return list(rows)


_POPULATION: dict[str, tuple[float, int]] = {}


def population() -> int:
    """How many persons the registry holds (counted at most every ten minutes)."""

    at, count = _POPULATION.get("n", (0.0, 0))
    if time.monotonic() - at > 600 or count == 0:
        count = Person.objects.count()
        _POPULATION["n"] = (time.monotonic(), count)
    return count


def shares(parts: list[PartQuery]) -> list[float]:
    """The share of persons holding each part's phonetic key (a count of keyed tokens, by index)."""
    n = population()
    if not parts or n == 0:
        return [0.0] * len(parts)
    keys = [key_token(p) for p in parts]
    counts = dict(
        PersonNameToken.objects.filter(token__in=keys)
        .values("token")
        .annotate(n=Count("person", distinct=True))
        .values_list("token", "n")
    )
    return [counts.get(k, 0) / n for k in keys]


def facts_of_cases(cases) -> dict[int, rules.Facts]:
    """Facts per person from their cases (sex from the person, ages and places from the cases and
    their route): plain columns only."""
    per: dict[int, dict] = {}
    cases = list(
        cases.select_related("person").only(
            "id",
            "person_id",
            "person__gender",
            "identification_date",
            "age_at_identification",
            "identification_region_id",
            "identification_cercle_id",
            "organisation_id",
        )
    )
    stops = RouteStop.objects.filter(case__in=[c.pk for c in cases]).values_list(
        "case__person_id", "region_id", "cercle_id"
    )
    for case in cases:
        f = per.setdefault(case.person_id, {"sex": case.person.gender, "years": [], "r": set(), "c": set()})
        year = rules.birth_year(case.identification_date.year, case.age_at_identification)
        if year is not None:
            f["years"].append(year)
        f["r"].add(case.identification_region_id)
        if case.identification_cercle_id:
            f["c"].add(case.identification_cercle_id)
    for person_id, region, cercle in stops:
        if person_id in per:
            if region:
                per[person_id]["r"].add(region)
            if cercle:
                per[person_id]["c"].add(cercle)
    return {
        pid: rules.Facts(
            sex=f["sex"],
            birth_year=round(sum(f["years"]) / len(f["years"])) if f["years"] else None,
            regions=frozenset(f["r"]),
            cercles=frozenset(f["c"]),
        )
        for pid, f in per.items()
    }


@dataclass(frozen=True)
class Match:
    person_id: int
    case_id: int
    organisation_id: int
    score: float


def find(person, case_ids_of_person, *, exclude_person_ids=()) -> list[Match]:
    """Probable duplicates of `person` (held in clear by its own organisation's worker) among every
    organisation's persons, best first: one Match per matching case."""
    parts = query_parts(*(getattr(person, f) for f in NAME_FIELDS))
    ids = candidate_person_ids(parts, exclude_person_ids={person.pk, *exclude_person_ids})
    if not ids:
        return []
    own = facts_of_cases(Case.objects.filter(pk__in=list(case_ids_of_person))).get(person.pk) or rules.Facts(
        sex=person.gender
    )
    tokens: dict[int, dict[str, int]] = {}
    for pid, token, kind in PersonNameToken.objects.filter(person_id__in=ids).values_list(
        "person_id", "token", "kind"
    ):
        tokens.setdefault(pid, {})[token] = kind
    cases = Case.objects.filter(person_id__in=ids)
    facts = facts_of_cases(cases)
    part_shares, n = shares(parts), population()
    scored: dict[int, float] = {}
    for pid, held in tokens.items():
        if pid not in facts:
            continue  # a person without a case (merged away): never a duplicate
        sims = similarities(parts, held)
        expected = rules.namesakes(sims, part_shares, n)
        value = rules.score(sims, count_parts(held.values()), own, facts[pid], expected)
        if rules.is_probable(value):
            scored[pid] = value
    matches = [
        Match(person_id=pid, case_id=cid, organisation_id=org, score=scored[pid])
        for cid, pid, org in cases.filter(person_id__in=list(scored)).values_list(
            "pk", "person_id", "organisation_id"
        )
    ]
    return sorted(matches, key=lambda m: (-m.score, m.case_id))
