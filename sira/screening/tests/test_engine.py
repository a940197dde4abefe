"""Table-driven tests of every screening rule. Each rule is exercised just below and at its threshold."""

import pytest
from django.utils import translation

from sira.screening import engine
from sira.screening.catalogue import CatalogueError, parse
from sira.screening.tests.catalogue_fixture import shipped_data, synthetic_data

CAT = parse(synthetic_data())
LABOUR = ["forced_labour"]
SEXUAL = ["sexual_exploitation"]


def yes(*ids, **extra):
    return {i: engine.YES for i in ids} | extra


def pick(dim, strong=0, medium=0, weak=0):
    return (
        [f"{dim}-S{n}" for n in range(1, strong + 1)]
        + [f"{dim}-M{n}" for n in range(1, medium + 1)]
        + [f"{dim}-W{n}" for n in range(1, weak + 1)]
    )


def status(result, dim, set_index=0):
    return next(d for d in result["sets"][set_index]["dimensions"] if d["id"] == dim)["status"]


# R1, the dimension rule: (strong, medium, weak) → positive?, including each clause just below and at.
R1_TABLE = [
    (0, 0, 0, False),
    (1, 0, 0, False),  # one strong alone: below clauses (a) and (b)
    (2, 0, 0, True),  # (a) at: two strong
    (1, 1, 0, True),  # (b) at: one strong + one medium
    (1, 0, 1, True),  # (b) at: one strong + one weak
    (0, 2, 0, False),  # (c) just below: two medium
    (0, 3, 0, True),  # (c) at: three medium
    (0, 2, 1, True),  # (d) at: two medium + one weak
    (0, 1, 1, False),  # (d) below: one medium + one weak
    (0, 1, 3, False),
    (0, 0, 3, False),  # weak alone never
]


@pytest.mark.parametrize(("strong", "medium", "weak", "positive"), R1_TABLE)
def test_dimension_rule_clauses(strong, medium, weak, positive):
    clauses = shipped_data()["rules"]["R1_dimension_positive"]["logic"]["any_of"]
    assert (engine.first_clause(clauses, strong, medium, weak) is not None) is positive


@pytest.mark.parametrize("dim", ["D1", "D2", "D3", "D4", "D5", "D6"])
@pytest.mark.parametrize(("strong", "medium", "weak", "positive"), R1_TABLE)
def test_each_dimension_scores_at_its_thresholds(dim, strong, medium, weak, positive):
    result = engine.score(CAT, yes(*pick(dim, strong, medium, weak)), age=30, forms=LABOUR)
    assert status(result, dim) == (engine.POSITIVE if positive else engine.NOT_POSITIVE)


ADULT_TABLE = [
    # (dimensions made positive, act answered, outcome for an adult)
    (["D1", "D4", "D5"], False, "strong"),
    (["D2", "D4", "D6"], False, "strong"),
    (["D3", "D4", "D5"], False, "strong"),
    (["D1", "D4"], False, "some"),  # no means at destination
    (["D4", "D5"], True, "some"),  # act recorded but no recruitment means
    (["D1", "D5"], False, "some"),  # no exploitation
    ([], False, "none"),
]


@pytest.mark.parametrize(("dims", "act", "outcome"), ADULT_TABLE)
def test_adult_needs_recruitment_exploitation_and_destination_means(dims, act, outcome):
    answers = yes(*[i for d in dims for i in pick(d, strong=2)], *(["ACT-01"] if act else []))
    result = engine.score(CAT, answers, age=18, forms=LABOUR)
    assert result["outcome"] == outcome
    assert result["elements"]["means"]["met"] is bool(set(dims) & {"D1", "D2", "D3", "D5", "D6"})


CHILD_TABLE = [
    (["D4"], True, "strong"),  # act + exploitation: means not required
    (["D4"], False, "some"),  # exploitation without an act
    ([], True, "some"),  # act without exploitation
    (["D1", "D4"], False, "strong"),  # a positive recruitment dimension establishes the act
    (["D5", "D6"], True, "some"),  # means without exploitation
]


@pytest.mark.parametrize(("dims", "act", "outcome"), CHILD_TABLE)
def test_child_needs_an_act_and_exploitation_but_no_means(dims, act, outcome):
    answers = yes(*[i for d in dims for i in pick(d, strong=2)], *(["ACT-01"] if act else []))
    result = engine.score(CAT, answers, age=17, forms=LABOUR)
    assert result["outcome"] == outcome
    assert result["elements"]["means"]["met"] is None  # not required, shown as such


def test_the_same_answers_differ_for_an_adult_and_a_child():
    answers = yes("ACT-01", *pick("D4", strong=2))
    assert engine.score(CAT, answers, age=17, forms=LABOUR)["outcome"] == "strong"
    assert engine.score(CAT, answers, age=18, forms=LABOUR)["outcome"] == "some"


def test_unknown_age_is_presumed_child():
    result = engine.score(CAT, yes("ACT-01", *pick("D4", strong=2)), age=None, forms=LABOUR)
    assert result["child"] and result["age_unknown"] and result["outcome"] == "strong"


def test_unknown_answers_are_never_counted_as_no():
    answers = yes("D5-S1") | {"D5-M1": engine.UNKNOWN}
    with_unknown = engine.score(CAT, answers, age=30, forms=LABOUR)
    with_no = engine.score(CAT, answers | {"D5-M1": engine.NO}, age=30, forms=LABOUR)
    assert status(with_unknown, "D5") == engine.UNDETERMINED
    assert status(with_no, "D5") == engine.NOT_POSITIVE
    assert with_unknown["unknown_answers"] == ["D5-M1"]


def test_unknown_answers_can_keep_an_outcome_open():
    everything_unknown = {i: engine.UNKNOWN for i in CAT.indicators}
    assert engine.score(CAT, everything_unknown, age=30, forms=LABOUR)["outcome"] == "some"
    everything_no = {i: engine.NO for i in CAT.indicators}
    assert engine.score(CAT, everything_no, age=30, forms=LABOUR)["outcome"] == "none"


def test_unknown_answers_never_make_a_dimension_positive():
    answers = {i: engine.UNKNOWN for i in pick("D4", strong=2)}
    assert status(engine.score(CAT, answers, age=30, forms=LABOUR), "D4") == engine.UNDETERMINED


@pytest.mark.parametrize("age", [12, 30])
def test_a_set_with_unknown_strengths_is_refused_not_guessed(age):
    answers = yes("ACT-01", "SPEC-SEX", *[i for d in ("D1", "D4", "D5") for i in pick(d, strong=2)])
    result = engine.score(CAT, answers, age=age, forms=SEXUAL)
    sexual = result["sets"][0]
    assert sexual["id"].endswith("_sexual") and sexual["scorable"] is False
    assert {d["status"] for d in sexual["dimensions"]} == {engine.NOT_SCORED}
    assert sexual["combination"] is None
    assert result["unscorable_sets"] == [sexual["id"]]
    assert result["outcome"] == "some"  # indicators are shown, but no strong outcome is guessed
    assert "D4-S1" in next(d for d in sexual["dimensions"] if d["id"] == "D4")["indicators"]


def test_a_set_becomes_scorable_when_its_strengths_are_known():
    catalogue = parse(synthetic_data(sexual_known=True))
    answers = yes("ACT-01", *pick("D4", strong=2))
    assert engine.score(catalogue, answers, age=12, forms=SEXUAL)["outcome"] == "strong"


def test_both_sets_are_scored_when_labour_and_sexual_forms_are_suspected():
    result = engine.score(CAT, yes("ACT-01", *pick("D4", strong=2)), age=12, forms=LABOUR + SEXUAL)
    assert [(s["id"], s["scorable"]) for s in result["sets"]] == [
        ("child_labour", True),
        ("child_sexual", False),
    ]
    assert result["outcome"] == "strong"


def test_other_lists_evidence_ilo_indicators_once():
    result = engine.score(CAT, yes("UN-01", "UN-02"), age=30, forms=LABOUR)
    d5 = next(d for d in result["sets"][0]["dimensions"] if d["id"] == "D5")
    assert d5["indicators"] == ["D5-S1", "D5-S2"] and d5["status"] == engine.POSITIVE


def test_an_act_wildcard_establishes_the_act():
    result = engine.score(CAT, yes("UN-ACT", *pick("D4", strong=2)), age=10, forms=LABOUR)
    assert result["elements"]["act"]["met"] and result["outcome"] == "strong"


def test_contextual_answers_alone_find_no_indication():
    assert engine.score(CAT, yes("CTX-01"), age=30, forms=LABOUR)["outcome"] == "none"


def test_form_specific_indicator_evidences_purpose():
    result = engine.score(CAT, yes("SPEC-SEX"), age=30, forms=SEXUAL)
    assert result["elements"]["purpose"] == {"met": True, "evidence": ["SPEC-SEX"]}


def test_urgent_flags_call_for_immediate_referral_whatever_the_score():
    result = engine.score(CAT, {}, age=9, forms=LABOUR, urgent=["URG-MEDICAL"])
    assert (
        result["immediate_referral"] and result["urgent"] == ["URG-MEDICAL"] and result["outcome"] == "none"
    )


def test_begging_indicators_flag_the_related_practice():
    assert engine.score(CAT, yes("MLI-BEG-01"), age=9, forms=["forced_begging"])["organised_begging"] == [
        "MLI-BEG-01"
    ]


def test_invalid_answers_are_refused():
    with pytest.raises(ValueError):
        engine.score(CAT, {"D1-S1": "maybe"}, age=30, forms=LABOUR)
    with pytest.raises(ValueError):
        engine.score(CAT, {"NOPE-01": "yes"}, age=30, forms=LABOUR)


def test_the_shipped_catalogue_parses_and_scores_labour_sets_only():
    catalogue = parse(shipped_data())
    assert len(catalogue.indicators) == 276
    assert catalogue.scorable_sets == {"adult_labour", "child_labour"}


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: d.pop("rules"), "rules"),
        (lambda d: d["indicators"][2].update(strength={"adult_labour": "huge"}), "unknown strength"),
        (lambda d: d["indicators"][0].update(maps_to=["NOPE-9"]), "unknown indicators"),
        (lambda d: d["indicators"].append(dict(d["indicators"][0])), "used twice"),
        (lambda d: d["indicators"][0]["label"].pop("fr"), "French and English"),
    ],
)
def test_a_malformed_catalogue_is_refused_with_a_reason(break_it, message):
    data = synthetic_data()
    break_it(data)
    with translation.override("en"), pytest.raises(CatalogueError) as error:
        parse(data)
    assert message in str(error.value)
