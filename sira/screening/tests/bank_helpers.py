"""Helpers for tests of the question bank: the shipped bank, and interviews walked to the end."""

import copy
from functools import cache

import yaml

from sira.screening import bank as bank_module
from sira.screening import rules
from sira.screening.loaders import BANK

AGES = {"child": 12, "adolescent": 16, "adult": 30, "age unknown": None}


@cache
def bank_data() -> dict:
    return yaml.safe_load(BANK.read_text(encoding="utf-8"))


@cache
def shipped_bank() -> bank_module.QuestionBank:
    return bank_module.parse(bank_data())


def bank_with(change) -> bank_module.QuestionBank:
    """A copy of the shipped bank with one change to its data (to break a rule on purpose)."""
    data = copy.deepcopy(bank_data())
    change(data)
    return bank_module.parse(data)


def interview(bank, age, forms, answers=None, *, rest="safe", only=None):
    """Walk the interview to its end: given answers first; every other asked question answered on
    its `rest` side ("safe", "risk", or None to leave it blank). `only` limits who is answered."""
    answers = dict(answers or {})
    child = rules.is_child(bank, age)
    for _ in range(10):
        asked = bank.asked(child=child, forms=forms, answers=answers)
        missing = [q for q in asked if q.id not in answers and (only is None or only(q))]
        if rest is None or not missing:
            break
        for question in missing:
            answers[question.id] = question.safe_value() if rest == "safe" else question.risk_value()
    return answers


def assess(age, forms, answers=None, *, rest="safe", bank=None, urgent=()):
    bank = bank or shipped_bank()
    full = interview(bank, age, forms, answers, rest=rest)
    return rules.assess(bank, full, age=age, forms=forms, urgent=urgent)
