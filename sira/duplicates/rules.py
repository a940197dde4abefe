"""Scoring a probable duplicate: pure functions, no I/O. The inputs are what Sira holds in clear for
every organisation's records — how well each name part matched the other person's keyed name tokens
(sira.duplicates.matching turns tokens into these similarities), the sex, the age band and the places
of identification — never a decrypted identity.

Weights (docs/duplicates.md), on a 0–1 scale:
- names: NAME_WEIGHT × the mean of the two best part similarities (one part for one-word names),
  plus THIRD_AGREE or THIRD_CONFLICT when both persons have a third name (often the father's);
  a part's similarity is EXACT (same word), PHONETIC (same phonetic key: Traoré/Traore,
  Coulibaly/Kulibali, Diarra/Jara), ALIAS (a known variant: Mamadou/Madou), TYPO (one typing slip
  apart: Cissoko/Cissuko), or a shared phonetic
  prefix covering most of the word (a typo late in the word: LONG_PREFIX, or half of it: SHORT_PREFIX);
- age: AGE_CLOSE if the estimated birth years are within 1 year, AGE_NEAR within AGE_NEAR_YEARS,
  AGE_UNKNOWN when either is unknown, AGE_FAR (negative) up to AGE_MAX_YEARS and no match beyond;
- places: PLACE_CERCLE for a shared cercle, PLACE_REGION for a shared region only;
- common names: NAMESAKE_WEIGHT less per tenfold of the persons expected to bear the same two names
  by chance (from how many records hold each name's keyed phonetic token: a count, no decryption);
- sex: two different recorded sexes are never the same person.
A pair is a probable duplicate at THRESHOLD or above (measured in benchmarks/dedup.py)."""

import math
from dataclasses import dataclass

EXACT = 1.0
PHONETIC = 0.92
ALIAS = 0.88
TYPO = 0.8  # one typing slip apart (a shared one-letter deletion of the phonetic keys)
LONG_PREFIX = 0.8  # shared phonetic prefix ≥ 70 % of the longer key
SHORT_PREFIX = 0.6  # ≥ 50 %
PART_MIN = 0.6  # a part "matches" from this similarity
PREFIX_MIN_LETTERS = 4

NAME_WEIGHT = 0.55
THIRD_AGREE, THIRD_CONFLICT = 0.15, -0.3  # both have three names: the third agrees, or not at all
AGE_CLOSE, AGE_NEAR, AGE_FAR, AGE_UNKNOWN = 0.2, 0.15, -0.1, 0.15
AGE_NEAR_YEARS, AGE_MAX_YEARS = 3, 6
PLACE_CERCLE, PLACE_REGION = 0.3, 0.1
# Common names are weaker evidence: minus NAMESAKE_WEIGHT for each tenfold of the persons expected to
# bear the same two names by chance (population × the share of persons holding each name's key).
NAMESAKE_WEIGHT = 0.15
# Chosen on 20,000 synthetic records for the best balance of precision and recall (benchmarks/dedup.py,
# docs/duplicates.md): the weights above were searched on a grid, then checked at 100,000.
THRESHOLD = 0.8


@dataclass(frozen=True)
class Facts:
    """What is compared besides names, all stored in clear: sex, estimated birth year (identification
    year minus age at identification), the regions and cercles of identification and route."""

    sex: str = ""
    birth_year: int | None = None
    regions: frozenset = frozenset()
    cercles: frozenset = frozenset()


def prefix_similarity(shared: int, longest: int) -> float:
    """A shared phonetic prefix of `shared` letters between keys of which the longer has `longest`."""
    if shared < PREFIX_MIN_LETTERS or longest <= 0:
        return 0.0
    ratio = shared / longest
    if ratio >= 0.7:
        return LONG_PREFIX
    if ratio >= 0.5:
        return SHORT_PREFIX
    return 0.0


def name_score(similarities: list[float], *, other_parts: int) -> float:
    """The name agreement from each of the new person's name parts' best similarity with the other
    person's names. Two parts must match (one when either person has a single name part)."""
    needed = 1 if min(len(similarities), other_parts) <= 1 else 2
    best = sorted(similarities, reverse=True)[:needed]
    if len(best) < needed or best[-1] < PART_MIN:
        return 0.0
    return sum(best) / needed


def third_name_score(similarities: list[float], *, other_parts: int) -> float:
    """When both persons have three names or more, the third best part agrees or conflicts."""
    if len(similarities) < 3 or other_parts < 3:
        return 0.0
    third = sorted(similarities, reverse=True)[2]
    return THIRD_AGREE if third >= PART_MIN else THIRD_CONFLICT


def namesakes(similarities: list[float], shares: list[float], population: int) -> float:
    """How many persons would bear the matched names by chance: the population times the shares (of
    persons holding each part's phonetic key) of the two best-matching parts."""
    if not shares or population <= 0:
        return 0.0
    order = sorted(range(len(similarities)), key=lambda i: -similarities[i])[:2]
    expected = float(population)
    for i in order:
        expected *= shares[i]
    return expected


def namesake_penalty(expected: float) -> float:
    return -NAMESAKE_WEIGHT * math.log10(expected) if expected > 1 else 0.0


def age_score(a: int | None, b: int | None) -> float | None:
    """None: the ages rule the match out."""
    if a is None or b is None:
        return AGE_UNKNOWN
    gap = abs(a - b)
    if gap <= 1:
        return AGE_CLOSE
    if gap <= AGE_NEAR_YEARS:
        return AGE_NEAR
    if gap <= AGE_MAX_YEARS:
        return AGE_FAR
    return None


def place_score(a: Facts, b: Facts) -> float:
    if a.cercles & b.cercles:
        return PLACE_CERCLE
    if a.regions & b.regions:
        return PLACE_REGION
    return 0.0


def sexes_compatible(a: str, b: str) -> bool:
    unknown = ("", "Unknown", "Other", "PreferNotToSay")
    return a in unknown or b in unknown or a == b


def facts_compatible(a: Facts, b: Facts) -> bool:
    """The cheap test first: another sex, or ages too far apart, rule the pair out whatever the names."""
    return sexes_compatible(a.sex, b.sex) and age_score(a.birth_year, b.birth_year) is not None


def score(
    similarities: list[float], other_parts: int, a: Facts, b: Facts, expected_namesakes: float = 0
) -> float:
    """The pair's score (0 when ruled out)."""
    if not facts_compatible(a, b):
        return 0.0
    names = name_score(similarities, other_parts=other_parts)
    if names == 0.0:
        return 0.0
    age = age_score(a.birth_year, b.birth_year)
    third = third_name_score(similarities, other_parts=other_parts)
    common = namesake_penalty(expected_namesakes)
    return round(NAME_WEIGHT * names + third + common + age + place_score(a, b), 4)


def is_probable(value: float) -> bool:
    return value >= THRESHOLD


def birth_year(identification_year: int | None, age: int | None) -> int | None:
    if identification_year is None or age is None:
        return None
    return identification_year - age
