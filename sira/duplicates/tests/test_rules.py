"""The matcher across Malian name variants and typos (table-driven): each row registers nothing, it
compares the tokens Sira stores for one spelling with the new person's names."""

import pytest

from sira.core import names
from sira.duplicates import matching, rules

SAME_PLACE = rules.Facts(
    sex="Feminine", birth_year=2012, regions=frozenset({"ML01"}), cercles=frozenset({"c"})
)


def facts(**kw):
    base = dict(sex="Feminine", birth_year=2012, regions=frozenset({"ML01"}), cercles=frozenset({"c"}))
    return rules.Facts(**(base | kw))


def pair_score(new: str, stored: str, a=SAME_PLACE, b=SAME_PLACE) -> float:
    tokens = names.name_tokens(stored)
    return rules.score(
        matching.similarities(matching.query_parts(new), tokens), matching.count_parts(tokens.values()), a, b
    )


MATCHES = [
    ("Awa Coulibaly", "Awa Kulibali"),
    ("Awa Coulibaly", "Awa Koulibaly"),
    ("Fatoumata Diarra", "Fatoumata Jara"),
    ("Mariam Traoré", "Mariam Traore"),
    ("Hawa Keïta", "Awa Keita"),
    ("Mamadou Touré", "Madou Toure"),
    ("Aminata Cissoko", "Aminata Cissuko"),  # a typing slip
    ("Kadiatou Sangaré", "Kdiatou Sangare"),  # a letter left out
    ("Oumou Diarra", "Oumou Djmarra"),  # a letter added
    ("Seydou Sidibé", "Seidou Sidibe"),
    ("Ousmane Sékou Ouattara", "Ousmane Wattara"),  # the father's name left out
]

NON_MATCHES = [
    ("Awa Coulibaly", "Awa Diallo"),  # another family
    ("Awa Coulibaly", "Fanta Traoré"),
    ("Mariam Diarra", "Mariam Diallo"),  # Diarra/Diallo are not one name
    ("Aminata Keïta", "Aminata Kanté"),
    ("Moussa Traoré", "Moussa Touré"),
    ("Awa Sékou Coulibaly", "Awa Issa Coulibaly"),  # same names, different fathers: below the threshold
]


@pytest.mark.parametrize("new,stored", MATCHES)
def test_variants_and_typos_match(new, stored):
    assert rules.is_probable(pair_score(new, stored)), pair_score(new, stored)


@pytest.mark.parametrize("new,stored", NON_MATCHES)
def test_other_names_do_not_match(new, stored):
    assert not rules.is_probable(pair_score(new, stored))


@pytest.mark.parametrize(
    "other,probable",
    [
        (facts(), True),
        (facts(sex="Masculine"), False),  # another sex is another person
        (facts(birth_year=2000), False),  # 12 years apart
        (facts(birth_year=2010), True),  # an estimated age two years off
        (facts(birth_year=None), True),  # age unknown, same cercle
        (facts(cercles=frozenset({"d"}), regions=frozenset({"ML02"})), False),  # elsewhere, two names only
    ],
)
def test_sex_age_and_place(db, other, probable):
    assert rules.is_probable(pair_score("Awa Coulibaly", "Awa Kulibali", SAME_PLACE, other)) is probable


def test_name_score_needs_two_parts():
    assert rules.name_score([1.0, 0.0], other_parts=2) == 0.0
    assert rules.name_score([1.0, 0.8], other_parts=2) == pytest.approx(0.9)
    assert rules.name_score([1.0], other_parts=1) == 1.0


def test_age_bands():
    assert rules.age_score(2012, 2013) == rules.AGE_CLOSE
    assert rules.age_score(2012, 2015) == rules.AGE_NEAR
    assert rules.age_score(2012, 2018) == rules.AGE_FAR
    assert rules.age_score(2012, 2019) is None
    assert rules.age_score(None, 2019) == rules.AGE_UNKNOWN


def test_typo_tokens_are_keyed_and_not_searched():
    tokens = names.name_tokens("Cissoko")
    typo = [t for t, k in tokens.items() if k == names.TYPO]
    assert typo and all(len(t) == 32 and "ciss" not in t for t in typo)
    # A search never looks for them: the search tokens of a word are of the other kinds.
    assert not set(typo) & set(names.word_tokens("cissoko"))
