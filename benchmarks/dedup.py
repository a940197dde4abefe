"""Probable duplicates: precision, recall and time of Sira's matcher (sira.duplicates) beside splink
(DuckDB backend) on the same synthetic persons with Malian name variants, age noise and typos.

Sira's matcher runs here in memory with the functions the registration check uses: the keyed name
tokens of sira.core.names (HMAC, as stored in cases.PersonNameToken), blocking on the blocking tokens
of two name parts (matching.part_query(...).block), scoring by rules.score. The database path does
the same lookups in SQL. Splink gets the same records in clear (accents folded), its usual
comparisons (names by Jaro-Winkler, age by difference, sex and region exact), trained by EM.

Run: nice -n 10 .venv/bin/python benchmarks/dedup.py --persons 100000 [--no-splink]"""

import argparse
import bisect
import random
import time
from collections import defaultdict

from _django import setup

setup()

from sira.core import names  # noqa: E402
from sira.duplicates import matching, rules  # noqa: E402

MALE = [
    "Mamadou",
    "Moussa",
    "Oumar",
    "Ousmane",
    "Boubacar",
    "Abdoulaye",
    "Souleymane",
    "Seydou",
    "Brahima",
    "Adama",
    "Bakary",
    "Sekou",
    "Modibo",
    "Drissa",
    "Lassana",
    "Siaka",
    "Yacouba",
    "Issa",
    "Ibrahim",
    "Amadou",
    "Alou",
    "Bourama",
    "Cheick",
    "Daouda",
    "Dramane",
    "Fousseyni",
    "Hamidou",
    "Karim",
    "Lamine",
    "Mahamane",
    "Mohamed",
    "Nouhoum",
    "Salif",
    "Samba",
    "Sidiki",
    "Tiemoko",
    "Youssouf",
    "Zoumana",
    "Abdoul",
    "Bandiougou",
    "Boureima",
    "Diakaridia",
    "Fode",
    "Gaoussou",
    "Harouna",
    "Idrissa",
    "Kalifa",
    "Madou",
    "Mamoutou",
    "Moctar",
    "Nianguiry",
    "Ousseini",
    "Sadio",
    "Sambou",
    "Sory",
    "Tidiane",
    "Yaya",
    "Zakaria",
    "Aboubacar",
    "Aliou",
    "Baba",
    "Bréhima",
    "Check",
    "Dembele",
    "Djibril",
    "Fily",
    "Hamadoun",
    "Kassim",
    "Lansana",
    "Mahamadou",
    "Noumouke",
    "Ousmane",
    "Sibiri",
    "Soumaila",
    "Tiecoura",
    "Yacouba",
    "Zana",
]
FEMALE = [
    "Fatoumata",
    "Aminata",
    "Mariam",
    "Aissata",
    "Kadiatou",
    "Oumou",
    "Assitan",
    "Awa",
    "Bintou",
    "Djeneba",
    "Fanta",
    "Hawa",
    "Kadidia",
    "Korotoumou",
    "Mariame",
    "Nana",
    "Rokia",
    "Salimata",
    "Sitan",
    "Tenin",
    "Hadja",
    "Adiaratou",
    "Aicha",
    "Assetou",
    "Batoma",
    "Coumba",
    "Dado",
    "Fatimata",
    "Ganda",
    "Haby",
    "Kankou",
    "Maimouna",
    "Nafissatou",
    "Niakale",
    "Oumoukalsoum",
    "Ramata",
    "Safiatou",
    "Sali",
    "Setou",
    "Tata",
    "Yama",
    "Zeinab",
    "Alimata",
    "Binta",
    "Dieneba",
    "Fatouma",
    "Kani",
    "Mah",
    "Mamou",
    "Masitan",
    "Nassira",
    "Ouleymatou",
    "Sanata",
    "Soungalo",
    "Tene",
    "Wassa",
    "Yaye",
    "Zalika",
    "Aminatou",
    "Bassira",
    "Diarra",
    "Fadima",
    "Habi",
    "Kadi",
    "Lalla",
    "Mina",
    "Natou",
]
SURNAMES = [
    "Coulibaly",
    "Traoré",
    "Diarra",
    "Keïta",
    "Koné",
    "Diallo",
    "Sangaré",
    "Sissoko",
    "Camara",
    "Touré",
    "Cissé",
    "Dembélé",
    "Doumbia",
    "Kanté",
    "Konaté",
    "Maïga",
    "Sidibé",
    "Sylla",
    "Ballo",
    "Bagayoko",
    "Bamba",
    "Berthé",
    "Cissoko",
    "Dabo",
    "Danioko",
    "Diakité",
    "Diawara",
    "Djiré",
    "Dicko",
    "Doucouré",
    "Fofana",
    "Goïta",
    "Guindo",
    "Haïdara",
    "Kamissoko",
    "Kassogué",
    "Kouyaté",
    "Mariko",
    "Niaré",
    "Samaké",
    "Sanogo",
    "Soumaré",
    "Tangara",
    "Tounkara",
    "Togola",
    "Yattara",
    "Bocoum",
    "Cissouma",
    "Dagnoko",
    "Diabaté",
    "Diaby",
    "Diop",
    "Fané",
    "Guindo",
    "Kéita",
    "Kodio",
    "Macalou",
    "Magassa",
    "Ouattara",
    "Poudiougou",
    "Sacko",
    "Sow",
    "Tembely",
    "Timbiné",
    "Tolo",
    "Wagué",
    "Yalcouyé",
    "Bengaly",
    "Dansoko",
    "Dolo",
    "Keïta",
    "Koïta",
    "Konaré",
    "Sow",
    "Tall",
    "Kida",
    "Ongoïba",
    "Dacko",
    "Sogoba",
    "Togo",
    "Diassana",
    "Sinayoko",
]
# Spellings the field writes for the same name (what the generator draws for a duplicate record).
VARIANTS = {
    "Coulibaly": ["Kulibali", "Koulibaly", "Coulibali", "Kulibaly"],
    "Traoré": ["Traore", "Trawore"],
    "Diarra": ["Jara", "Diara", "Djarra"],
    "Keïta": ["Keita", "Kéita", "Keyta"],
    "Touré": ["Toure"],
    "Cissé": ["Cisse", "Sissé"],
    "Diallo": ["Jallo", "Dialo"],
    "Maïga": ["Maiga"],
    "Sidibé": ["Sidibe"],
    "Ouattara": ["Wattara", "Watara"],
    "Dembélé": ["Dembele"],
    "Kouyaté": ["Kouyate"],
    "Diakité": ["Jakité", "Diakite"],
    "Haïdara": ["Haidara"],
    "Mamadou": ["Madou", "Mamadu", "Mahamadou"],
    "Oumar": ["Omar", "Umar"],
    "Ousmane": ["Usman", "Ousmane"],
    "Boubacar": ["Bakary", "Boubakar"],
    "Abdoulaye": ["Abdoulai", "Abdoulahi"],
    "Seydou": ["Seidou"],
    "Fatoumata": ["Fatimata", "Fanta", "Fatoumata"],
    "Aminata": ["Aminatou"],
    "Mariam": ["Mariame", "Mariama"],
    "Kadiatou": ["Kadidia", "Kadiatu"],
    "Hawa": ["Awa"],
    "Aissata": ["Aïssata", "Assa"],
    "Brahima": ["Bréhima", "Ibrahima"],
    "Souleymane": ["Soulemane"],
}
REGIONS = [f"ML{n:02d}" for n in range(1, 11)]


def zipf_choice(rng, pool, s=0.7):
    weights = [1 / (i + 1) ** s for i in range(len(pool))]
    return rng.choices(pool, weights)[0]


def typo(rng, word):
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word))  # the first letter is the one most reliably written down
    op = rng.choice("sdit")
    letters = "aeioukmnrstldby"
    if op == "s":
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    if op == "d":
        return word[:i] + word[i + 1 :]
    if op == "i":
        return word[:i] + rng.choice(letters) + word[i:]
    j = min(i + 1, len(word) - 1)
    return word[:i] + word[j] + word[i] + word[j + 1 :] if j > i else word


def noisy(rng, name):
    if not name:
        return name
    if name in VARIANTS and rng.random() < 0.45:
        name = rng.choice(VARIANTS[name])
    if rng.random() < 0.12:
        name = typo(rng, name)
    return name


def generate(n, seed=1, dup_rate=0.1):
    """n records; about n·dup_rate/(1+dup_rate) true pairs (a person registered by two organisations)."""
    rng = random.Random(seed)
    records, pairs = [], []
    while len(records) < n:
        sex = rng.choice("FM")
        first = zipf_choice(rng, FEMALE if sex == "F" else MALE, 0.5)
        middle = zipf_choice(rng, MALE, 0.5) if rng.random() < 0.6 else ""  # the father's first name
        last = zipf_choice(rng, SURNAMES, 0.6)
        year = rng.randint(2018, 2026)
        age = rng.choice([rng.randint(5, 17), rng.randint(5, 17), rng.randint(18, 45)])
        region = rng.choice(REGIONS)
        cercle = f"{region}-{rng.randint(1, 8)}"
        rec = dict(
            id=len(records),
            first=first,
            middle=middle,
            last=last,
            sex=sex,
            year=year,
            age=age,
            region=region,
            cercle=cercle,
        )
        records.append(rec)
        if rng.random() < dup_rate and len(records) < n:
            later = year + rng.choice([0, 0, 1, 1, 2, 3])
            dup_age = None if rng.random() < 0.08 else max(0, age + (later - year) + round(rng.gauss(0, 1.3)))
            same_place = rng.random() < 0.85
            dregion = region if same_place else rng.choice(REGIONS)
            dup = dict(
                id=len(records),
                first=noisy(rng, first),
                middle="" if rng.random() < 0.2 else noisy(rng, middle),
                last=noisy(rng, last),
                sex=sex,
                year=later,
                age=dup_age,
                region=dregion,
                cercle=cercle if same_place and rng.random() < 0.7 else f"{dregion}-{rng.randint(1, 8)}",
            )
            records.append(dup)
            pairs.append((rec["id"], dup["id"]))
    return records, set(pairs)


def _fold(text):
    return " ".join(names.name_parts(text)) or None


def _prepare(records):
    word_tokens: dict[str, dict[str, int]] = {}
    stored, queries, facts, nparts = [], [], [], []
    for r in records:
        tokens: dict[str, int] = {}
        for part in names.name_parts(r["first"], r["middle"], r["last"]):
            if part not in word_tokens:
                word_tokens[part] = names.name_tokens(part)
            tokens.update(word_tokens[part])
        stored.append(tokens)
        nparts.append(matching.count_parts(tokens.values()))
        queries.append(matching.query_parts(r["first"], r["middle"], r["last"]))
        facts.append(
            rules.Facts(
                sex=r["sex"],
                birth_year=rules.birth_year(r["year"], r["age"]),
                regions=frozenset([r["region"]]),
                cercles=frozenset([r["cercle"]]),
            )
        )
    return stored, queries, facts, nparts


def blocked_pairs(queries, sexes):
    """Each pair (rid, cid), rid < cid, whose records hold blocking tokens of two name parts (and the
    same sex: another sex is never a match, rules.sexes_compatible; an unknown sex goes with both)."""
    # The index of blocking tokens a record holds: (sex, token of part i, token of part j).
    index: dict[tuple, list[int]] = defaultdict(list)
    for rid, parts in enumerate(queries):
        own = [set(p.block[:2]) for p in parts]  # its own key's head (s:, sp:), not its aliases'
        for sex in _sex_keys(sexes[rid]):
            for i in range(len(own)):
                for j in range(i + 1, len(own)):
                    for a in own[i]:
                        for b in own[j]:
                            index[(sex, a, b) if a < b else (sex, b, a)].append(rid)
            if len(own) == 1:
                for a in own[0]:
                    index[(sex, a)].append(rid)
    for rid, parts in enumerate(queries):
        blocks = [p.block for p in parts]
        keys = []
        for sex in _sex_keys(sexes[rid]):
            if len(blocks) == 1:
                keys += [(sex, a) for a in blocks[0]]
            for i in range(len(blocks)):
                for j in range(i + 1, len(blocks)):
                    keys += [(sex, a, b) if a < b else (sex, b, a) for a in blocks[i] for b in blocks[j]]
        candidates = set()
        for key in keys:
            ids = index.get(key)
            if ids:
                # Lists are in record order: only the records after this one (each pair once).
                candidates.update(ids[bisect.bisect_right(ids, rid) :])
        yield from ((rid, cid) for cid in candidates)


def _sex_keys(sex):
    return ("F", "M") if sex not in ("F", "M") else (sex,)


def sira_matcher(records):
    """All probable pairs, as the registration check would find them (same tokens, blocking, rules)."""
    t0 = time.perf_counter()
    stored, queries, facts, nparts = _prepare(records)
    # How many records hold each phonetic-key token (the database counts PersonNameToken rows).
    holders: dict[str, int] = defaultdict(int)
    for tokens in stored:
        for token, kind in tokens.items():
            if kind == names.PHONETIC:
                holders[token] += 1
    n = len(records)
    shares = [[holders[matching.key_token(p)] / n for p in parts] for parts in queries]
    t_tokens = time.perf_counter() - t0
    found, scored = set(), {}
    compared = 0
    for rid, cid in blocked_pairs(queries, [r["sex"] for r in records]):
        compared += 1
        if not rules.facts_compatible(facts[rid], facts[cid]):
            continue  # what rules.score checks first, without computing name similarities
        sims = matching.similarities(queries[rid], stored[cid])
        expected = rules.namesakes(sims, shares[rid], n)
        value = rules.score(sims, nparts[cid], facts[rid], facts[cid], expected)
        if value >= LOWEST_SHOWN:
            scored[(rid, cid)] = value
            if rules.is_probable(value):
                found.add((rid, cid))
    return found, time.perf_counter() - t0, t_tokens, compared, scored


def splink_matcher(records, threshold=0.0001):
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    rows = [
        {
            "unique_id": r["id"],
            "first_name": _fold(r["first"]),
            "middle_name": _fold(r["middle"]),
            "last_name": _fold(r["last"]),
            "sex": r["sex"],
            "birth_year": rules.birth_year(r["year"], r["age"]),
            "region": r["region"],
            "cercle": r["cercle"],
        }
        for r in records
    ]
    con = duckdb.connect()
    import pyarrow as pa

    con.register("people_arrow", pa.Table.from_pylist(rows))
    con.execute("create table people as select * from people_arrow")
    db_api = DuckDBAPI(con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.NameComparison("middle_name"),
            cl.CustomComparison(
                output_column_name="birth_year",
                comparison_levels=[
                    {"sql_condition": "birth_year_l IS NULL OR birth_year_r IS NULL", "is_null_level": True},
                    {"sql_condition": "birth_year_l = birth_year_r", "label_for_charts": "same"},
                    {"sql_condition": "abs(birth_year_l - birth_year_r) <= 2", "label_for_charts": "<=2"},
                    {"sql_condition": "abs(birth_year_l - birth_year_r) <= 5", "label_for_charts": "<=5"},
                    {"sql_condition": "ELSE", "label_for_charts": "else"},
                ],
            ),
            cl.ExactMatch("cercle"),
            cl.ExactMatch("region"),
        ],
        blocking_rules_to_generate_predictions=[
            # Sex is a blocking condition (another sex is never the same person; as a comparison its
            # "different" level is never seen in training and EM underflows at 100,000 records).
            block_on("substr(first_name, 1, 3)", "substr(last_name, 1, 3)", "sex"),
            block_on("last_name", "birth_year", "sex"),
            block_on("first_name", "birth_year", "sex"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker(db_api.register("people"), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_year")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name", "region"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "birth_year"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    rows = predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
    scored = {(min(a, b), max(a, b)): p for a, b, p in rows}
    return scored, time.perf_counter() - t0


LOWEST_SHOWN = 0.6  # scores kept to show the matcher at other thresholds than rules.THRESHOLD


def quality(found, truth):
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    return precision, recall, tp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()
    records, truth = generate(args.persons)
    print(f"records {len(records):,}  true duplicate pairs {len(truth):,}")
    found, seconds, t_tokens, compared, scored = sira_matcher(records)
    p, r, tp = quality(found, truth)
    print(
        f"sira    precision {p:.3f}  recall {r:.3f}  pairs found {len(found):,} (true {tp:,})  "
        f"time {seconds:.1f} s (tokens {t_tokens:.1f} s; {compared:,} pairs scored; "
        f"threshold {rules.THRESHOLD})"
    )
    # The same scores at other thresholds (the operating point is rules.THRESHOLD, chosen at 20,000).
    for threshold in (0.7, 0.75, 0.85, 0.9, 0.95, 1.0):
        p, r, tp = quality({pair for pair, v in scored.items() if v >= threshold}, truth)
        print(f"sira    at threshold {threshold}: precision {p:.3f}  recall {r:.3f}")
    if not args.no_splink:
        scored, seconds = splink_matcher(records)
        # Splink's probabilities are not calibrated on this data: every threshold is tried and the
        # best for splink is reported (its best balance, and its best recall at precision >= 0.9).
        results = []
        for threshold in (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99):
            found = {pair for pair, prob in scored.items() if prob >= threshold}
            results.append((threshold, *quality(found, truth), len(found)))
        f1 = max(results, key=lambda x: 2 * x[1] * x[2] / (x[1] + x[2] or 1))
        at90 = max((x for x in results if x[1] >= 0.9), key=lambda x: x[2], default=None)
        for label, x in (("best balance", f1), ("best recall at precision >= 0.9", at90)):
            if x is None:
                print(f"splink  {label}: none")
                continue
            threshold, p, r, tp, n = x
            print(
                f"splink  precision {p:.3f}  recall {r:.3f}  pairs found {n:,} (true {tp:,})  "
                f"time {seconds:.1f} s (threshold {threshold}: {label})"
            )


if __name__ == "__main__":
    main()
