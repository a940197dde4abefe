"""The question bank and its legal logic (catalogue 2026.2): a property test over the whole bank, then
one hand-worked example per legal clause. No database: plain functions over the shipped data."""

import itertools
import re

import pytest
from django.utils import translation

from sira.screening import bank as bank_module
from sira.screening import rules
from sira.screening.catalogue import CatalogueError
from sira.screening.tests.bank_helpers import AGES, assess, bank_data, bank_with, interview, shipped_bank

BANK = shipped_bank()
FORMS = [f["id"] for f in BANK.forms]
PROFILES = [(age, []) for age in AGES] + [(age, [form]) for age in AGES for form in FORMS]
PAIRS = [(age, list(pair)) for age in ("adolescent", "adult") for pair in itertools.combinations(FORMS, 2)]


def outcome(result):
    return result["outcome"]


# --- the property test: every age group × suspected form -------------------------------------


@pytest.mark.parametrize(("age", "forms"), PROFILES + PAIRS)
def test_every_profile_safe_risk_and_urgent_only(age, forms):
    years = AGES[age]
    safe = assess(years, forms, rest="safe")
    risk = assess(years, forms, rest="risk")
    urgent_only = rules.assess(
        BANK,
        interview(BANK, years, forms, rest="safe", only=lambda q: bool(q.urgent)),
        age=years,
        forms=forms,
    )
    assert (outcome(safe), outcome(risk), outcome(urgent_only)) == ("none", "strong", "insufficient")
    for result in (safe, risk):
        assert len(result["asked"]) == len(set(result["asked"]))  # no question twice
        texts = [BANK.by_id[q].text["fr"] for q in result["asked"]]
        assert len(texts) == len(set(texts))


def test_no_fact_is_asked_twice_even_when_modules_share_a_question():
    shared = [q for q in BANK.by_id.values() if len([b for b in q.blocks if b != "core"]) > 1]
    assert shared, "the bank should hold at least one question shared by two modules"
    question = shared[0]
    result = assess(30, list(question.blocks), rest="risk")
    assert result["asked"].count(question.id) == 1


def test_the_bank_refuses_a_fact_asked_twice():
    def twice(data):
        data["questions"].append(dict(data["questions"][5]))

    with translation.override("en"), pytest.raises(CatalogueError, match="used twice"):
        bank_with(twice)


def test_reverse_worded_questions_score_their_risk_side():
    """'Could you leave?' — a literal "yes" is the safe side (issue 8)."""
    leave = BANK.by_id["C-LEAVE"]
    assert leave.risk == "no" and leave.side("yes") == "safe" and leave.side("no") == "risk"
    result = assess(30, [], {"C-LEAVE": "yes"})
    assert "C-LEAVE" not in result["findings"]
    result = assess(30, [], {"C-LEAVE": "no"})
    assert "C-LEAVE" in result["findings"]


def test_unquoted_yes_no_in_yaml_is_read_as_the_words():
    def unquoted(data):
        next(q for q in data["questions"] if q["id"] == "C-LEAVE")["risk"] = False  # YAML `risk: no`

    assert bank_with(unquoted).by_id["C-LEAVE"].risk == "no"


def test_one_answer_evidences_at_most_one_indicator_per_dimension():
    def two_in_d1(data):
        promises = next(q for q in data["questions"] if q["id"] == "C-PROMISES")
        promises["options"][0]["evidence"] = ["ILO-D1-01", "ILO-D1-02"]

    with translation.override("en"), pytest.raises(CatalogueError, match="two indicators of one dimension"):
        bank_with(two_in_d1)
    for question in BANK.by_id.values():
        for answer in [question.risk_answer, *[o.answer for o in question.options]]:
            dims = [BANK.indicators[i]["dimension"] for i in answer.evidence]
            assert len(dims) == len(set(dims)), question.id


def test_every_question_has_french_and_english_in_one_register():
    for question in BANK.by_id.values():
        fr = question.text["fr"]
        assert question.text["en"] and fr
        assert " tu " not in f" {fr} " and "(Enfant)" not in fr, question.id
        if question.mode in ("observe", "record"):
            assert fr.startswith(("Observation :", "Contexte :")), question.id


def test_list_facts_are_choice_questions():
    assert BANK.by_id["C-PROMISES"].type == "multiple"
    assert BANK.by_id["C-PAY"].type == "single" and BANK.by_id["C-DOCS"].type == "single"


def test_benchmark_targets_hold():
    counts = [len(assess(AGES[a], f, rest=side)["asked"]) for a, f in PROFILES for side in ("safe", "risk")]
    counts.sort()
    assert counts[len(counts) // 2] <= 35 and counts[-1] <= 60


# --- the dimension rule -----------------------------------------------------------------------

R1_TABLE = [
    (0, 0, 0, False),
    (1, 0, 0, False),
    (2, 0, 0, True),
    (1, 1, 0, True),
    (1, 0, 1, True),
    (0, 2, 0, False),
    (0, 3, 0, True),
    (0, 2, 1, True),
    (0, 1, 1, False),
    (0, 0, 5, False),
]


@pytest.mark.parametrize(("strong", "medium", "weak", "positive"), R1_TABLE)
def test_dimension_rule_from_the_bank(strong, medium, weak, positive):
    clauses = bank_data()["rules"]["dimension_rule"]["any_of"]
    assert (rules.first_clause(clauses, strong, medium, weak) is not None) is positive


def test_dimension_rule_on_real_answers_uses_the_age_strength_set():
    """Excessive hours (strong) + low pay (medium) make exploitative conditions positive, adult or
    child; 'no school' is weak for adults and medium for children (ILO sets)."""
    d4 = {"C-HOURS": "yes", "C-PAY": "less"}
    for age in (30, 12):
        result = assess(age, [], d4)
        assert _dim(result, "D4")["status"] == "positive" and _dim(result, "D4")["clause"] == 1
    child = assess(12, [], {"C-SCHOOL": "no", "C-LIVING": "yes"})
    assert _dim(child, "D4")["status"] == "not_positive"  # two medium: not yet
    child = assess(12, [], {"C-SCHOOL": "no", "C-LIVING": "yes", "C-PAY": "none"})
    assert _dim(child, "D4")["status"] == "positive"  # three medium
    assert {i["strength"] for i in _dim(child, "D4")["indicators"]} == {"medium"}


def _dim(result, dim):
    return next(d for d in result["dimensions"] if d["id"] == dim)


def test_context_is_shown_and_never_counted():
    result = assess(
        30, ["migrant_exploitation"], {"C-ORIGIN": "yes", "N-SMUGGLER": "yes", "C-DOCS": "never_had"}
    )
    assert set(result["context"]) == {"CTX-03", "CTX-05", "CTX-11"}
    assert outcome(result) == "none" and all(d["status"] == "not_positive" for d in result["dimensions"])


# --- adults ------------------------------------------------------------------------------------

ADULT_FULL = {
    "C-ARRANGED": "yes",
    "C-PROMISES": ["work", "pay"],  # D1: strong + medium
    "C-HOURS": "yes",
    "C-PAY": "less",  # D4: strong + medium
    "C-DOCS": "someone_else",
    "C-VIOLENCE": "yes",  # D5: strong + strong
}


def test_adult_recruitment_exploitation_and_destination_coercion_is_strong():
    result = assess(30, [], ADULT_FULL)
    assert (outcome(result), result["path"]) == ("strong", "adult_trafficking")
    assert result["elements"] == {"act": "found", "means": "found", "purpose": "found"}


@pytest.mark.parametrize(
    "removed",
    [
        {"C-PROMISES": ["none_false"]},  # no recruitment dimension
        {"C-HOURS": "no", "C-PAY": "as_agreed"},  # no exploitative conditions
        {"C-DOCS": "own", "C-VIOLENCE": "no"},  # no coercion at destination
    ],
)
def test_adult_each_missing_part_gives_further_assessment(removed):
    result = assess(30, [], ADULT_FULL | removed)
    assert outcome(result) == "some" and result["path"] is None


def test_adult_abuse_of_vulnerability_at_destination_counts_like_coercion():
    answers = ADULT_FULL | {
        "C-DOCS": "own",
        "C-VIOLENCE": "no",
        "C-DEPEND": "yes",
        "C-ADDRESS": "no",
        "C-POLICE": "no",
    }
    assert _dim(assess(30, [], answers), "D6")["status"] == "not_positive"  # two medium
    answers |= {"C-DEBT": "yes", "C-DEBT-ORIGIN": "no", "C-DEBT-GROWS": "no"}  # + debt (D5 strong alone)
    result = assess(30, [], answers)
    assert _dim(result, "D5")["status"] == "not_positive" and outcome(result) == "some"
    answers |= {"C-THREATS": "yes"}  # D5: strong + medium
    assert outcome(assess(30, [], answers)) == "strong"


def test_debt_contracted_at_recruitment_counts_for_the_recruitment_phase():
    base = ADULT_FULL | {"C-PROMISES": ["none_false"], "C-DEBT": "yes", "C-DEBT-GROWS": "no"}
    assert outcome(assess(30, [], base | {"C-DEBT-ORIGIN": "no"})) == "some"
    result = assess(30, [], base | {"C-DEBT-ORIGIN": "yes"})
    assert _dim(result, "D2")["status"] == "not_positive"  # one medium: the dimension is not positive...
    assert (outcome(result), result["path"]) == ("strong", "adult_trafficking")  # ...but the debt counts


# --- children ----------------------------------------------------------------------------------

CHILD_D4 = {"C-ARRANGED": "yes", "C-HOURS": "yes", "C-PAY": "none"}


@pytest.mark.parametrize("age", [12, 17, None])
def test_child_act_and_exploitative_conditions_is_strong_without_means(age):
    result = assess(age, [], CHILD_D4)
    assert (outcome(result), result["path"]) == ("strong", "child_trafficking")
    assert result["elements"]["means"] == "not_required" and result["age_unknown"] is (age is None)


def test_the_same_answers_at_eighteen_are_not_strong():
    assert outcome(assess(18, [], CHILD_D4)) == "some"


def test_child_without_an_act_is_not_strong():
    assert outcome(assess(12, [], CHILD_D4 | {"C-ARRANGED": "no"})) == "some"


PER_SE = [
    ("armed_forces", ["armed_groups"], {"A-USED": "yes"}),
    (
        "begging",
        ["forced_begging"],
        {"C-ARRANGED": "yes", "C-PAY": "none", "B-FOR-OTHER": "yes", "B-QUOTA": "yes"},
    ),
    (
        "begging",
        ["forced_begging"],
        {"C-ARRANGED": "yes", "C-PAY": "none", "B-FOR-OTHER": "yes", "B-SHORT": "humiliated"},
    ),
    ("commercial_sexual", ["sexual_exploitation"], {"C-ARRANGED": "yes", "X-EXCHANGE": "yes"}),
    ("marriage", ["forced_marriage"], {"M-MARRIED": "yes", "M-PRICE": "yes"}),
    ("marriage", ["forced_marriage"], {"C-ARRANGED": "yes", "M-MARRIED": "yes", "M-VISIT": "no"}),
    (
        "domestic_servitude",
        ["domestic_servitude"],
        {"C-ARRANGED": "yes", "H-HOUSEWORK": "yes", "C-PAY": "none"},
    ),
    (
        "domestic_servitude",
        ["domestic_servitude"],
        {"C-ARRANGED": "yes", "H-HOUSEWORK": "yes", "C-LEAVE": "no"},
    ),
    ("worst_forms", ["forced_criminality"], {"C-ARRANGED": "yes", "K-CRIMES": "yes"}),
    ("worst_forms", [], {"C-ARRANGED": "yes", "C-HAZARD": "yes", "C-WITH-PARENT": "no"}),
]


@pytest.mark.parametrize(("entry", "forms", "answers"), PER_SE)
def test_exploitation_of_a_child_per_se_is_purpose(entry, forms, answers):
    result = assess(14, forms, answers)
    assert entry in result["per_se"]
    assert _dim(result, "D4")["status"] == "not_positive"  # purpose without the conditions rule
    assert outcome(result) == "strong" and result["path"] in ("child_trafficking", "child_sexual")


def test_begging_for_another_without_quota_or_punishment_is_not_per_se():
    result = assess(10, ["forced_begging"], {"C-ARRANGED": "yes", "C-PAY": "none", "B-FOR-OTHER": "yes"})
    assert result["per_se"] == [] and outcome(result) == "some"


def test_per_se_entries_do_not_apply_to_adults():
    begging = {"C-ARRANGED": "yes", "C-PAY": "none", "B-FOR-OTHER": "yes", "B-QUOTA": "yes"}
    result = assess(30, ["forced_begging"], begging)
    assert result["per_se"] == [] and outcome(result) == "some"


def test_hazardous_work_beside_a_parent_paid_without_other_signs_is_further_assessment():
    answers = {"C-ARRANGED": "yes", "C-HAZARD": "yes", "C-WITH-PARENT": "yes", "C-PAY": "as_agreed"}
    result = assess(15, [], answers)
    assert (outcome(result), result["path"]) == ("some", "child_hazardous_with_parent")
    assert "child_protection" in result["actions"]
    # the same without the parent: a worst form of child labour, strong
    assert outcome(assess(15, [], answers | {"C-WITH-PARENT": "no"})) == "strong"
    # unpaid, or with another sign, the exception no longer applies
    assert outcome(assess(15, [], answers | {"C-PAY": "none"})) == "strong"
    assert outcome(assess(15, [], answers | {"C-VIOLENCE": "yes"})) == "strong"


# --- slavery and related practices -------------------------------------------------------------


@pytest.mark.parametrize("age", [45, 16])
@pytest.mark.parametrize("second", [{"S-UNPAID": "yes"}, {"S-CONTROL": "yes"}])
def test_slavery_status_path_needs_no_recruitment(age, second):
    answers = {"C-ARRANGED": "no", "S-STATUS": "yes"} | second
    result = assess(age, ["descent_based_slavery"], answers)
    assert (outcome(result), result["path"]) == ("strong", "slavery_status")
    assert result["acts"] == [] and "anti_slavery" in result["actions"]


def test_status_alone_is_not_the_slavery_path():
    result = assess(45, ["descent_based_slavery"], {"S-STATUS": "yes"})
    assert outcome(result) == "some" and result["path"] is None


# --- sexual exploitation: legal elements, provisional ------------------------------------------


def test_adult_sexual_exploitation_act_means_purpose_is_strong_and_provisional():
    answers = {"C-ARRANGED": "yes", "C-PROMISES": ["work"], "X-TAKINGS": "yes"}  # act, deception, purpose
    result = assess(24, ["sexual_exploitation"], answers)
    assert (outcome(result), result["path"], result["provisional"]) == ("strong", "adult_sexual", True)
    assert _dim(result, "D1")["status"] == "not_positive"  # decided by legal elements, not strengths
    no_means = assess(24, ["sexual_exploitation"], answers | {"C-PROMISES": ["none_false"]})
    assert (outcome(no_means), no_means["elements"]["means"]) == ("some", "not_found")
    no_act = assess(24, ["sexual_exploitation"], answers | {"C-ARRANGED": "no"})
    assert outcome(no_act) == "some"


def test_child_sexual_exploitation_act_and_purpose_is_strong_and_provisional():
    result = assess(15, ["sexual_exploitation"], {"C-ARRANGED": "yes", "X-EXCHANGE": "yes"})
    assert (outcome(result), result["path"], result["provisional"]) == ("strong", "child_sexual", True)


def test_what_is_not_asked_reads_not_assessed():
    result = assess(30, [], {"C-ARRANGED": "yes"})
    assert result["forms_assessed"]["sexual_exploitation"] == "not_assessed"
    blank = rules.assess(BANK, {"U-DANGER": "no", "U-MEDICAL": "no"}, age=30, forms=["forced_labour"])
    assert blank["elements"] == {"act": "not_assessed", "means": "not_assessed", "purpose": "not_assessed"}
    assert blank["forms_assessed"]["forced_labour"] == "not_assessed"
    asked = assess(30, ["forced_labour"], {})
    assert asked["forms_assessed"]["forced_labour"] == "not_found"


# --- outcomes, unknowns, contradictions --------------------------------------------------------


def test_too_few_core_answers_is_not_enough_information():
    result = rules.assess(BANK, {"U-DANGER": "yes", "U-MEDICAL": "no"}, age=30, forms=[])
    assert outcome(result) == "insufficient" and result["immediate_referral"]
    assert result["actions"][0] == "URG-DANGER"  # urgent first


def test_a_clear_sign_with_few_answers_is_further_assessment_not_insufficient():
    result = rules.assess(BANK, {"C-VIOLENCE": "yes"}, age=30, forms=[])
    assert outcome(result) == "some"


def test_blank_unknown_and_declined_are_the_same():
    base = interview(BANK, 30, [], ADULT_FULL)
    results = set()
    for value in ("", "unknown", "declined", None):
        answers = base | {"C-VIOLENCE": value, "C-DOCS": value}
        result = rules.assess(BANK, answers, age=30, forms=[])
        results.add((result["outcome"], result["possible_path"], tuple(result["unknown"])))
    missing = {k: v for k, v in base.items() if k not in ("C-VIOLENCE", "C-DOCS")}
    result = rules.assess(BANK, missing, age=30, forms=[])
    results.add((result["outcome"], result["possible_path"], tuple(result["unknown"])))
    assert results == {("some", "adult_trafficking", ("C-DOCS", "C-VIOLENCE"))}


def test_unknowns_that_could_complete_a_path_are_further_assessment():
    answers = interview(
        BANK, 30, [], {q: "unknown" for q in ("C-DOCS", "C-VIOLENCE", "C-LEAVE")}, rest="safe"
    )
    assert outcome(rules.assess(BANK, answers, age=30, forms=[])) == "none"  # D5 alone cannot decide
    answers = interview(BANK, 30, [], ADULT_FULL | {"C-DOCS": "unknown", "C-VIOLENCE": "unknown"})
    result = rules.assess(BANK, answers, age=30, forms=[])
    assert outcome(result) == "some" and result["possible_path"] == "adult_trafficking"


def test_contradictory_answers_withhold_the_outcome():
    answers = {
        "C-ARRANGED": "yes",
        "C-PAY": "none",
        "C-VIOLENCE": "no",
        "B-FOR-OTHER": "yes",
        "B-SHORT": "beaten",
    }
    result = assess(10, ["forced_begging"], answers)
    assert result["outcome"] is None
    assert result["contradictions"] == [{"safe": "C-VIOLENCE", "risk": "B-SHORT", "indicator": "ILO-D5-04"}]
    resolved = assess(10, ["forced_begging"], answers | {"C-VIOLENCE": "yes"})
    assert resolved["contradictions"] == [] and outcome(resolved) == "strong"


def test_choice_answers_contradict_too():
    result = assess(30, ["domestic_servitude"], {"C-LEAVE": "yes", "H-HOUSEWORK": "yes", "H-OUT-ALONE": "no"})
    assert result["contradictions"] == [{"safe": "C-LEAVE", "risk": "H-OUT-ALONE", "indicator": "ILO-D5-03"}]
    paid = assess(30, ["sexual_exploitation"], {"C-PAY": "as_agreed"})
    assert paid["contradictions"] == []


def test_invalid_answers_are_refused():
    with pytest.raises(ValueError, match="unknown question"):
        rules.assess(BANK, {"ILO-D4-01": "yes"}, age=30, forms=[])
    with pytest.raises(ValueError, match="invalid answer"):
        rules.assess(BANK, {"C-PAY": "yes"}, age=30, forms=[])


# --- the rules are data ------------------------------------------------------------------------


def test_a_rule_correction_is_a_data_change():
    def drop_two_medium_one_weak(data):
        data["rules"]["dimension_rule"]["any_of"].remove({"medium_min": 2, "weak_min": 1})

    answers = {"C-PROMISES": ["pay", "papers", "school"]}  # adult set: medium + medium + weak
    assert _dim(assess(30, [], answers), "D1")["status"] == "positive"
    corrected = bank_with(drop_two_medium_one_weak)
    assert _dim(assess(30, [], answers, bank=corrected), "D1")["status"] == "not_positive"


def test_unknown_rule_conditions_are_refused_when_used():
    def odd(data):
        data["rules"]["paths"][1]["when"] = {"odd": True}

    with pytest.raises(ValueError, match="unknown rule condition"):
        assess(30, [], bank=bank_with(odd))


def test_parse_names_what_is_wrong_where():
    def broken(data):
        data["questions"][4]["when"] = {"question": "NOPE", "side": "risk"}
        data["questions"][6]["evidence"] = ["CTX-01"]

    with translation.override("en"), pytest.raises(CatalogueError) as error:
        bank_with(broken)
    assert any("does not come before" in p for p in error.value.problems)
    assert any("“CTX-01” is not an ILO indicator" in p for p in error.value.problems)
    assert bank_module.parse(bank_data()).version == "2026.2"


def test_slavery_path_needs_the_status_itself_not_only_its_follow_ups():
    def ungated(data):
        next(q for q in data["questions"] if q["id"] == "S-UNPAID").pop("when")

    bank = bank_with(ungated)
    answers = {"S-STATUS": "no", "S-UNPAID": "yes"}
    result = assess(45, ["descent_based_slavery"], answers, bank=bank)
    assert result["path"] != "slavery_status" and outcome(result) == "some"


FIRST_PERSON = re.compile(r"\b(mon|ma|mes|moi|je|j'|my|me|I)\b", re.IGNORECASE)


def test_a_risk_answer_spoken_as_the_person_is_reported_in_the_third_person():
    """Options are read to the person ("against my will"); the result page reports them as findings
    about the person, so an option in the first person carries its own finding text."""
    for question in BANK.by_id.values():
        for option in question.options:
            if option.answer.risk and FIRST_PERSON.search(option.text["fr"] + " " + option.text["en"]):
                assert option.finding, (question.id, option.id)
                assert not FIRST_PERSON.search(option.finding["fr"] + " " + option.finding["en"])


def test_held_documents_read_as_a_finding_on_the_result():
    from sira.screening.explain import explain_result

    answers = interview(BANK, 30, [], {"C-DOCS": "someone_else"})
    result = rules.assess(BANK, answers, age=30, forms=[])
    with translation.override("fr"):
        text = " ".join(explain_result(BANK, result, answers)["reasons"] + result_findings(result, answers))
    assert "Pièces d'identité : quelqu'un d'autre les garde contre le gré de la personne" in text
    assert "mon gré" not in text


def result_findings(result, answers):
    from sira.screening.explain import _finding

    return [_finding(BANK, q, answers) for q in result["findings"]]
