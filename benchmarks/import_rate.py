"""Screening import throughput (issue 9 part 4): rows/s of the offline-submission import at several sizes,
beside PostgreSQL COPY of the same raw file into a scratch table when the database is PostgreSQL.

Rows follow the XLSForm export of the current catalogue (ODK Central column names: group-path "-" field,
meta-instanceID), with valid answers to the core questions and about 2% bad rows (quarantined).

Run: .venv/bin/python benchmarks/import_rate.py [--sizes 2000 20000] [--big]   (--big adds 100,000 rows)
     DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_rate.py      (PostgreSQL, with COPY)"""

import argparse
import csv
import io
import os
import random
import time

if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ.setdefault("BENCH_DATABASE_URL", os.environ["DATABASE_URL"])

from _django import setup

setup()

from django.db import connection  # noqa: E402


def export(version, rows: int, run_id: str, rng: random.Random) -> bytes:
    from sira.screening.services import demo_value

    bank = version.catalogue
    questions = sorted(bank.by_id.values(), key=lambda q: q.id)
    core = {q.id for q in bank.core}
    header = ["SubmissionDate", "catalogue_version", "profile-screened_on", "profile-gender", "profile-age"]
    header += ["profile-region", "profile-suspected_forms"]
    header += [f"{'core' if q.id in core else 'more'}-{q.field_name}" for q in questions]
    header += ["meta-instanceID"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for n in range(rows):
        answers = []
        for q in questions:
            value = demo_value(q, rng.choice(["yes", "no", "unknown"])) if q.id in core else ""
            answers.append(" ".join(value) if isinstance(value, list) else value)
        date = "2026-13-01" if n % 50 == 7 else "2026-11-01"  # 2% bad rows, quarantined
        gender, age = rng.choice(["Feminine", "Masculine"]), str(rng.randint(8, 40))
        profile = ["2026-11-02T10:00:00Z", version.version, date, gender, age, "ML01", "forced_labour"]
        writer.writerow([*profile, *answers, f"uuid:{run_id}-{n}"])
    return out.getvalue().encode()


def copy_rate(content: bytes) -> float | None:
    """Rows/s of COPY of the raw file into an all-text scratch table (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return None
    header = next(csv.reader(io.StringIO(content[:100_000].decode())))
    rows = content.count(b"\n") - 1
    columns = ", ".join(f'"c{i}" text' for i in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS import_copy ({columns})")
        cursor.execute("TRUNCATE import_copy")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY import_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE import_copy")
    return rows / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--big", action="store_true", help="add a 100,000-row file")
    parser.add_argument("--web", action="store_true", help="also time the web path (200-row steps)")
    args = parser.parse_args()
    sizes = args.sizes + ([100_000] if args.big else [])

    from sira.accounts.models import Organisation, User
    from sira.screening import importer
    from sira.screening.services import current_catalogue

    org, _ = Organisation.objects.get_or_create(name="Import benchmark", defaults={"org_type": "ngo"})
    user, _ = User.objects.get_or_create(
        username="bench.import", defaults={"organisation": org, "role": "case_manager"}
    )
    version = current_catalogue()
    rng = random.Random(1)
    run_id = f"{time.time():.0f}"
    print(f"database: {connection.vendor}; catalogue {version.version}")
    paths = [("command", lambda b: importer.run(b))]
    if args.web:
        paths.append(("web steps", _web_steps))
    from sira.screening import engine

    score, scoring = engine.score, [0.0]

    def timed_score(*args, **kwargs):  # the engine's share of the import time, printed beside it
        started = time.perf_counter()
        try:
            return score(*args, **kwargs)
        finally:
            scoring[0] += time.perf_counter() - started

    engine.score = timed_score
    for size in sizes:
        for name, process in paths:
            scoring[0] = 0.0
            content = export(version, size, f"{run_id}-{name[:3]}-{size}", rng)
            started = time.perf_counter()
            batch = importer.start_import(by=user, file_name="bench.csv", content=content)
            parsed = time.perf_counter() - started
            batch = process(batch)
            elapsed = time.perf_counter() - started
            counts = batch.counts()
            line = (
                f"import {size:>7,} rows ({len(content) / 1e6:.1f} MB), {name}: {elapsed:6.1f} s, "
                f"{size / elapsed:6.0f} rows/s (parse {parsed:.1f} s, scoring {scoring[0]:.1f} s; "
                f"{size / (elapsed - scoring[0]):.0f} rows/s without scoring) {counts}"
            )
            copy = copy_rate(content)
            if copy:
                line += f"; COPY raw file {copy:,.0f} rows/s ({copy / (size / elapsed):.0f}× faster)"
            print(line, flush=True)


def _web_steps(batch):
    from sira.screening import importer

    while batch.finished_at is None:
        batch = importer.process(batch)  # a fresh checker per step, as import_step does
    return batch


if __name__ == "__main__":
    main()
