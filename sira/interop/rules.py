"""Interop's rules, as pure functions: CTDC bands and codes, the k-anonymity generalisation ladder, and
the checks of an imported row. No I/O here (the catalogues are passed in or read once from data files).

k-anonymity (docs/interop.md). A released record is described by its quasi-identifiers (QI), the values
an attacker may know of a person from elsewhere:

    (age band, gender, citizenship, place, year, forms of exploitation, source)

where place is the region of identification (HTCDS) or the country of exploitation (CTDC), and source
is how the person was identified (CTDC Datasource: hotline or case management; empty for HTCDS). Every
combination of QI values in a released file is shared by at least k records (default 11, CTDC's k). To
get there the whole file is generalised one level at a time (`LEVELS`), each level coarser than the one
before, until the records left in combinations smaller than k are at most `max_suppressed` of the file;
those residual records are then suppressed (left out)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

AGE, GENDER, CITIZENSHIP, PLACE, YEAR, FORMS, SOURCE = range(7)
QI_NAMES = ("age band", "gender", "citizenship", "place", "year", "forms", "source")
UNKNOWN = ""

WIDE_BANDS = (("0--17", 0, 17), ("18--29", 18, 29), ("30--47", 30, 47), ("48+", 48, 150))
MAJORITY_BANDS = (("0--17", 0, 17), ("18+", 18, 150))
DEFAULT_K = 11
DEFAULT_MAX_SUPPRESSED = 0.05
HOME = "ML"


def band(age: int | None, bands) -> str:
    """The label of the band `age` falls in ("" when the age is unknown)."""
    if age is None:
        return UNKNOWN
    for label, low, high in bands:
        if low <= age <= high:
            return label
    return UNKNOWN


def band_low(label: str, bands) -> int | None:
    for name, low, _high in bands:
        if name == label:
            return low
    return None


def _band_of_label(label: str, fine_bands, coarse_bands) -> str:
    return band(band_low(label, fine_bands), coarse_bands) if label else UNKNOWN


def period(year: int | str, width: int) -> str:
    """A year as the `width`-year period holding it ("2015-2017" for width 3), aligned on 2000."""
    if year in ("", None):
        return UNKNOWN
    year = int(str(year)[:4])
    start = 2000 + ((year - 2000) // width) * width
    return f"{start}-{start + width - 1}"


def coarse_forms(forms: str, groups: dict[str, list[str]]) -> str:
    """Forms of exploitation ("A;B") reduced to the CTDC purposes: forced labour, sexual exploitation,
    other (each written as its HTCDS value so the file stays within the standard's picklist)."""
    if not forms:
        return UNKNOWN
    out = set()
    for form in forms.split(";"):
        if form in groups["isForcedLabour"]:
            out.add("ForcedLabour")
        elif form in groups["isSexualExploit"]:
            out.add("SexualExploitation")
        else:
            out.add("Other")
    return ";".join(sorted(out))


@dataclass(frozen=True)
class Ladder:
    """What each level does, given the file's level-0 counts (rare values are those held by fewer
    than k records in the whole file)."""

    k: int
    fine_bands: tuple
    frequent_citizenships: frozenset
    frequent_places: frozenset
    form_groups: dict

    def apply(self, qi: tuple, level: int) -> tuple:
        age, gender, citizenship, place, year, forms, source = qi
        if level >= 1:
            age = _band_of_label(age, self.fine_bands, WIDE_BANDS)
            citizenship = citizenship if citizenship in self.frequent_citizenships else UNKNOWN
        if level >= 2:
            year = period(year, 3)
            place = place if place in self.frequent_places else UNKNOWN
        if level >= 3:
            age = _band_of_label(age, WIDE_BANDS, MAJORITY_BANDS) if age else UNKNOWN
            citizenship = citizenship if citizenship == HOME else UNKNOWN
            forms = coarse_forms(forms, self.form_groups)
        if level >= 4:
            place = UNKNOWN
            year = period(qi[YEAR], 6)
            source = UNKNOWN
        return (age, gender, citizenship, place, year, forms, source)


LEVELS = (0, 1, 2, 3, 4)
LEVEL_NOTES = {
    0: "no generalisation",
    1: "age in wide bands (0-17, 18-29, 30-47, 48+); citizenships held by fewer than k records blanked",
    2: "+ year as a 3-year period; places held by fewer than k records blanked",
    3: "+ age as minor/adult; citizenship Mali or blank; forms as forced labour / sexual / other",
    4: "+ place and source blanked; year as a 6-year period",
}


def ladder(counts: Counter, k: int, fine_bands, form_groups) -> Ladder:
    citizenships, places = Counter(), Counter()
    for qi, n in counts.items():
        citizenships[qi[CITIZENSHIP]] += n
        places[qi[PLACE]] += n
    return Ladder(
        k=k,
        fine_bands=tuple(fine_bands),
        frequent_citizenships=frozenset(c for c, n in citizenships.items() if n >= k),
        frequent_places=frozenset(p for p, n in places.items() if n >= k),
        form_groups=form_groups,
    )


@dataclass(frozen=True)
class Plan:
    """The generalisation chosen for a file: its level, and the combinations released (>= k)."""

    level: int
    k: int
    total: int
    released: frozenset  # generalised QI tuples shared by at least k records
    generalised: int  # released records whose QI values were coarsened
    suppressed: int  # records left out (their combination held fewer than k records)


def plan(counts: Counter, lad: Ladder, max_suppressed: float = DEFAULT_MAX_SUPPRESSED) -> Plan:
    """The lowest level whose residual small groups hold at most `max_suppressed` of the records (else
    the highest level), with its released combinations and the counts a report gives."""
    total = sum(counts.values())
    chosen = None
    for level in LEVELS:
        grouped: Counter = Counter()
        for qi, n in counts.items():
            grouped[lad.apply(qi, level)] += n
        small = sum(n for n in grouped.values() if n < lad.k)
        chosen = (level, grouped)
        if small <= max_suppressed * total:
            break
    level, grouped = chosen
    released = frozenset(g for g, n in grouped.items() if n >= lad.k)
    generalised = suppressed = 0
    for qi, n in counts.items():
        out = lad.apply(qi, level)
        if out not in released:
            suppressed += n
        elif out != qi:
            generalised += n
    return Plan(level, lad.k, total, released, generalised, suppressed)


def small_groups(rows: Iterable[tuple], k: int) -> dict[tuple, int]:
    """The QI combinations shared by fewer than k of `rows` (what a test of a released file reads)."""
    counts = Counter(rows)
    return {qi: n for qi, n in counts.items() if n < k}


# ---------------------------------------------------------------------------------------------------
# Imported rows: each check returns the problems of one cell as (column, message code, params).
# The messages themselves (translated) are in sira/interop/messages.py.


def parse_year(text: str) -> int | None:
    text = (text or "").strip()
    if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100:
        return int(text)
    return None


def normalise_band(text: str, separators) -> str:
    text = (text or "").strip()
    for sep in separators:
        if sep != "--" and sep in text:
            text = text.replace(sep, "--")
    while "----" in text:
        text = text.replace("----", "--")
    return text


def flag(text: str) -> bool | None:
    """A CTDC 0/1/-99 flag: True, False, or None for missing; raises ValueError otherwise."""
    text = (text or "").strip()
    if text == "1":
        return True
    if text == "0":
        return False
    if text in ("", "-99"):
        return None
    raise ValueError(text)
