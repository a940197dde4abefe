"""Prints figures of the indicator-item screening of catalogue 2026.1 (kept for screenings scored with
it): engine time per screening and XLSForm build time. The question bank of 2026.2 on has its own
benchmarks: screening_questions.py (questions asked) and import_rate.py (offline import throughput).

Run: .venv/bin/python benchmarks/screening.py"""

import argparse
import io
import os
import random
import statistics
import time

from _django import setup

setup()

from django.core.management import call_command  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.parse_args()
    call_command("seed_demo", cases=20, stdout=open(os.devnull, "w"))  # noqa: SIM115

    from sira.screening import engine
    from sira.screening.models import CatalogueVersion
    from sira.screening.xlsform import build_workbook

    version = CatalogueVersion.objects.get(version="2026.1")
    catalogue = version.catalogue
    rng = random.Random(1)
    ids = list(catalogue.indicators)
    times = []
    for _ in range(500):
        answers = {i: rng.choice(engine.ANSWERS[:3]) for i in rng.sample(ids, 60)}
        t0 = time.perf_counter()
        engine.score(catalogue, answers, age=rng.choice([None, 12, 30]), forms=["forced_labour"])
        times.append((time.perf_counter() - t0) * 1e6)
    print(
        f"engine.score, 60 answers: median {statistics.median(times):.0f} µs, p95 {sorted(times)[474]:.0f} µs"
    )

    t0 = time.perf_counter()
    build_workbook(version).save(io.BytesIO())
    print(f"build XLSForm ({len(ids)} indicators): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
