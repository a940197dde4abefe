"""The shortcuts that make an assessment fast (issue 9: imports score thousands of rows) give the
same answers as the plain algorithm: the remembered walk, the answers' gathered contributions, the
optimistic reading that only re-reads new questions, and skipping it once "strong" is decided.
Random interviews over the shipped bank; the plain algorithms are written out here as references."""

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sira.screening import rules
from sira.screening.bank import UNANSWERED, UNKNOWN
from sira.screening.catalogue import CatalogueError
from sira.screening.tests.bank_helpers import bank_with, shipped_bank

BANK = shipped_bank()
FORMS = [f["id"] for f in BANK.forms]
QUESTIONS = sorted(BANK.by_id.values(), key=lambda q: q.id)


def _values(question):
    blanks = ["", "unknown", "declined"]
    if question.type == "multiple":
        return st.one_of(st.sampled_from(blanks), st.lists(st.sampled_from(question.values), min_size=1))
    return st.sampled_from([*question.values, *blanks])


interviews = st.fixed_dictionaries(
    {},
    optional={q.id: _values(q) for q in QUESTIONS},
)
profiles = st.tuples(st.sampled_from([None, 9, 15, 17, 18, 35]), st.lists(st.sampled_from(FORMS), max_size=3))


def plain_walk(bank, *, child, forms, answers):
    return bank._walk(child=child, forms=forms, answers=answers)


def plain_optimistic(bank, answers, *, child, forms):
    """The fixed point as first written: every round walks and reads every question again."""
    filled = dict(answers)
    for _ in range(5):
        asked = plain_walk(bank, child=child, forms=forms, answers=filled)
        missing = [q for q in asked if q.side(filled.get(q.id, UNKNOWN)) == UNANSWERED]
        if not missing:
            break
        for question in missing:
            filled[question.id] = question.risk_value()
    asked = plain_walk(bank, child=child, forms=forms, answers=filled)
    return rules.State(bank, filled, child=child, forms=forms, asked=asked)


def plain_reading(state):
    """Evidence, flags, signs and acts read answer by answer (the State before contributions)."""
    evidence, flags, signs, acts = {}, {}, set(), {}
    for question in state.asked:
        for answer in question.reading(state.answers.get(question.id, UNKNOWN))[1]:
            for f in answer.flags:
                flags.setdefault(f, []).append(question.id)
                if answer.risk:
                    signs.add(f)
            if answer.risk:
                for i in answer.evidence:
                    evidence.setdefault(i, []).append(question.id)
                if answer.act:
                    acts.setdefault(answer.act, []).append(question.id)
    return evidence, flags, signs, acts


def summary(state):
    """What a reading establishes. The questions behind each indicator, flag and act are compared as
    sets: the optimistic reading lists the questions it re-read after the others (only the decision,
    which reads what is established, never which question said it, uses that reading)."""

    def by_question(found):
        return {key: sorted(questions) for key, questions in found.items()}

    return (
        [q.id for q in state.asked],
        by_question(state.evidence),
        by_question(state.flags),
        state.sign_flags,
        by_question(state.acts),
        {d: v["status"] for d, v in state.dimensions.items()},
    )


@settings(max_examples=300, deadline=None)
@given(interviews, profiles)
def test_the_shortcuts_read_every_interview_as_the_plain_algorithm(answers, profile):
    age, forms = profile
    answers = BANK.normalise(answers)
    child = rules.is_child(BANK, age)
    # the remembered walk is the walk
    assert BANK.asked(child=child, forms=forms, answers=answers) == plain_walk(
        BANK, child=child, forms=forms, answers=answers
    )
    state = rules.State(BANK, answers, child=child, forms=forms)
    # the gathered contributions are the answers read one by one
    assert (state.evidence, state.flags, state.sign_flags, state.acts) == plain_reading(state)
    # the optimistic reading from the state is the plain fixed point
    quick = rules._optimistic(BANK, state, forms=forms)
    plain = plain_optimistic(BANK, answers, child=child, forms=forms)
    assert summary(quick) == summary(plain)
    assert rules.decide(quick, strong_only=True) == rules.decide(plain, strong_only=True)
    # skipping the optimistic reading once "strong" is decided changes nothing reported
    result = rules.assess(BANK, answers, age=age, forms=forms)
    possible = rules.decide(plain, strong_only=True)
    if result["provisional_outcome"] != "strong":
        assert result["possible_path"] == (possible["id"] if possible else None)
    else:
        assert result["possible_path"] is None


def test_a_remembered_walk_is_a_copy_callers_may_change():
    answers = {}
    first = BANK.asked(child=True, forms=[], answers=answers)
    first.clear()
    assert BANK.asked(child=True, forms=[], answers=answers)


@pytest.mark.parametrize(
    "when",
    [
        {"side": "unknown"},  # an unknown answer would open it: the optimistic reading could close it
        {"side": "maybe"},
        {"in": ["unknown"]},
        {"in": ["declined"]},
        {"in": []},
        {"in": ["not-an-option"]},
    ],
    ids=["side-unknown", "side-misspelt", "in-unknown", "in-declined", "in-empty", "in-not-an-answer"],
)
def test_a_follow_up_opens_only_on_a_given_answer(when):
    def opened_badly(data):
        follow_up = next(q for q in data["questions"] if q.get("when"))
        follow_up["when"] = {"question": follow_up["when"]["question"], **when}

    with translation.override("en"), pytest.raises(CatalogueError, match="opened by the risk, safe or info"):
        bank_with(opened_badly)


def test_a_path_that_stops_short_of_strong_still_reports_what_unknown_answers_could_establish():
    """The hazardous-work-beside-a-parent path decides "some" and stops; the rest unanswered could
    still establish trafficking, and the result says so (the shortcut skips only after "strong")."""
    forms = ["debt_bondage_salt_mines"]
    answers = {"C-ARRANGED": "yes", "C-WHO": "relative", "C-HAZARD": "yes", "C-WITH-PARENT": "yes"}
    answers |= {"C-PAY": "as_agreed"}
    result = rules.assess(BANK, answers, age=15, forms=forms)
    assert (result["outcome"], result["path"]) == ("some", "child_hazardous_with_parent")
    possible = rules.decide(plain_optimistic(BANK, answers, child=True, forms=forms), strong_only=True)
    assert possible is not None and result["possible_path"] == possible["id"]
