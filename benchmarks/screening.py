"""Prints screening figures: engine time per screening, import throughput, XLSForm build time, memory.

Run: .venv/bin/python benchmarks/screening.py [--rows N]"""

import argparse
import csv
import io
import os
import random
import statistics
import time
import tracemalloc

from _django import setup

setup()

from django.core.management import call_command  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    call_command("seed_demo", cases=20, stdout=open(os.devnull, "w"))  # noqa: SIM115

    from sira.accounts.models import User
    from sira.screening import engine, importer
    from sira.screening.services import current_catalogue
    from sira.screening.xlsform import build_workbook

    version = current_catalogue()
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

    fields = [i.field_name for i in catalogue.indicators.values()]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["profile-screened_on", "profile-gender", "profile-age", "profile-region", *fields, "meta-instanceID"]
    )
    for n in range(args.rows):
        answers = [rng.choice(["yes", "no", "unknown", ""]) for _ in fields]
        writer.writerow(["2026-11-01", "Feminine", str(rng.randint(5, 40)), "ML01", *answers, f"uuid:{n}"])
    content = out.getvalue().encode()
    user = User.objects.get(username="agent.kayes")
    tracemalloc.start()
    t0 = time.perf_counter()
    batch = importer.start_import(by=user, file_name="bench.csv", content=content)
    while batch.finished_at is None:
        batch = importer.process(batch)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    print(
        f"import {args.rows} rows × {len(fields)} answers ({len(content) / 1e6:.1f} MB): {elapsed:.1f} s, "
        f"{args.rows / elapsed:.0f} rows/s, peak Python memory {peak:.0f} MB, counts {batch.counts()}"
    )


if __name__ == "__main__":
    main()
