"""Prints how many questions a screening asks, for every age group × suspected form (none, each form,
each pair of forms), answered all on the safe side, all on the risk side, and at random (20 seeds).
Targets (issue 8): median ≤ 35, maximum ≤ 60.

Run: .venv/bin/python benchmarks/screening_questions.py"""

import itertools
import random
import statistics

from _django import setup

setup()

from sira.screening.bank import parse  # noqa: E402
from sira.screening.loaders import BANK, read  # noqa: E402
from sira.screening.rules import is_child  # noqa: E402


def walk(bank, age, forms, pick):
    answers, child = {}, is_child(bank, age)
    for _ in range(10):
        missing = [q for q in bank.asked(child=child, forms=forms, answers=answers) if q.id not in answers]
        if not missing:
            break
        for q in missing:
            answers[q.id] = pick(q)
    return len(bank.asked(child=child, forms=forms, answers=answers))


def main():
    bank = parse(read(BANK.read_text(encoding="utf-8")))
    ages = {"child 12": 12, "adolescent 16": 16, "adult 30": 30, "age unknown": None}
    form_ids = [f["id"] for f in bank.forms]
    profiles = [[]] + [[f] for f in form_ids] + [list(p) for p in itertools.combinations(form_ids, 2)]
    rng = random.Random(8)
    counts, worst = [], (0, None)
    for name, age in ages.items():
        row = []
        for forms in profiles:
            for pick in [lambda q: q.safe_value(), lambda q: q.risk_value()] + [
                lambda q: rng.choice([q.safe_value(), q.risk_value(), "unknown"]) for _ in range(20)
            ]:
                n = walk(bank, age, forms, pick)
                counts.append(n)
                row.append(n)
                worst = max(worst, (n, (name, forms)))
        print(f"{name:14s} median {statistics.median(row):4.0f}  max {max(row):3d}")
    print(
        f"all {len(counts)} walks ({len(ages)} ages × {len(profiles)} form sets): "
        f"median {statistics.median(counts):.0f}, max {max(counts)} (at {worst[1]}); targets ≤ 35 / ≤ 60"
    )


if __name__ == "__main__":
    main()
