"""Import benchmark (issue 13): rows/s of `manage.py import` for the 48,773-row CTDC subset and for N
synthetic HTCDS rows with names (encryption, blind indexes and name tokens exercised), beside raw
PostgreSQL COPY of the same rows into a plain table in the same run, and the ratio.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_interop \
        nice -n 10 .venv/bin/python benchmarks/import_bulk.py [N=1000000] [--skip-ctdc] [--refresh]

The synthetic file is generated under $TMPDIR (not kept). The CTDC file is read by path, never copied.
The import's rate excludes the statistics refresh (`manage.py import` runs it at the end); `--refresh`
times it on its own after each import."""

import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import _django

CTDC = Path("/work/shared/data/ctdc/ctdc_global_kanon_20200414_subset.csv")
FIRST = [
    "Awa",
    "Fatoumata",
    "Mariam",
    "Aminata",
    "Kadiatou",
    "Oumou",
    "Moussa",
    "Mamadou",
    "Ibrahim",
    "Seydou",
    "Bakary",
    "Adama",
    "Hawa",
    "Rokia",
    "Salif",
    "Boubacar",
    "Assitan",
    "Djeneba",
    "Modibo",
    "Sekou",
]
LAST = [
    "Traoré",
    "Coulibaly",
    "Diarra",
    "Keïta",
    "Koné",
    "Sangaré",
    "Diallo",
    "Touré",
    "Cissé",
    "Dembélé",
    "Sidibé",
    "Konaté",
    "Sissoko",
    "Maïga",
    "Doumbia",
    "Camara",
    "Kanté",
    "Ballo",
    "Samaké",
    "Togola",
]
FORMS = [
    "ForcedLabour",
    "DomesticServitude",
    "SexualExploitation",
    "ForcedBeggingKoranic",
    "ChildLabour",
    "DebtBondage;ForcedLabour",
]


def synthetic(path: Path, n: int) -> None:
    """SYNTHETIC rows, invented names."""
    rng = random.Random(13)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "sira_SourceRecordId",
                "prs_FirstName",
                "prs_SecondName",
                "prs_Birthdate",
                "prs_Gender",
                "prs_Citizenship",
                "sira_TypeOfExploitation",
                "sira_IdentificationDate",
                "sira_IdentificationRegion",
            ]
        )
        for i in range(n):
            year = rng.randint(2015, 2025)
            w.writerow(
                [
                    f"SYN-{i}",
                    rng.choice(FIRST) + (f"-{rng.choice(FIRST)}" if rng.random() < 0.2 else ""),
                    rng.choice(LAST),
                    f"{year - rng.randint(3, 60)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(("Feminine", "Feminine", "Masculine")),
                    rng.choice(("ML", "ML", "ML", "BF", "NG", "GN")),
                    rng.choice(FORMS),
                    f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    f"ML0{rng.randint(1, 9)}",
                ]
            )


def copy_rate(path: Path, table: str) -> tuple[float, int]:
    """Raw COPY of the file's rows into a plain table of text columns (no keys, no indexes)."""
    from django.db import connection, transaction

    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    columns = ", ".join(f'"{c}" text' for c in header)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({columns})")
        started = time.perf_counter()
        with (
            open(path, "rb") as f,
            cursor.cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed name
        rows = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {table}")
    return rows / elapsed, rows


def import_rate(path: Path, fmt: str, org, user) -> tuple[float, int, float]:
    from sira.interop import services

    started = time.perf_counter()
    result = services.import_file(path, fmt=fmt, organisation=org, by=user, refresh=False)
    elapsed = time.perf_counter() - started
    if "--refresh" in sys.argv:  # the refresh the command runs after an import, timed on its own
        from sira.statistics import layer

        refresh_started = time.perf_counter()
        layer.refresh()
        print(f"  statistics refresh after the import: {time.perf_counter() - refresh_started:.1f} s")
    assert not result.problems, result.problems[:5]
    return result.imported / elapsed, result.imported, elapsed


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    _django.setup()
    from django.db import connection

    from sira.accounts.models import Organisation, User

    print(f"database: {connection.vendor}; synthetic rows: {n:,}")
    stamp = str(int(time.time()))  # a fresh organisation each run: nothing "already imported"
    org = Organisation.objects.create(
        name=f"Bench import {stamp} (SYNTHETIC)",
        acronym=f"B{stamp[-6:]}",
        org_type="NGO",
        region_id="ML09",
        is_synthetic=True,
    )
    user = User.objects.create(
        username=f"bench-import-{stamp}", organisation=org, role="case_manager", is_synthetic=True
    )
    cases = []
    if "--skip-ctdc" not in sys.argv and CTDC.exists():
        cases.append(("CTDC subset", CTDC, "ctdc"))
    tmp = Path(tempfile.mkdtemp(prefix="sira-import-bench-", dir=os.environ.get("TMPDIR")))
    started = time.perf_counter()
    synthetic_path = tmp / "htcds.csv"
    synthetic(synthetic_path, n)
    print(f"generated {n:,} synthetic HTCDS rows in {time.perf_counter() - started:.1f} s")
    cases.append((f"synthetic HTCDS {n:,}", synthetic_path, "htcds"))
    for name, path, fmt in cases:
        rate, rows, elapsed = import_rate(path, fmt, org, user)
        copy, copied = copy_rate(path, "bench_plain_copy") if connection.vendor == "postgresql" else (0, 0)
        ratio = f"{rate / copy:.3f}× COPY" if copy else "n/a (COPY needs PostgreSQL)"
        print(
            f"{name}: import {rows:,} rows in {elapsed:.1f} s = {rate:,.0f} rows/s; "
            f"raw COPY {copied:,} rows = {copy:,.0f} rows/s; ratio {ratio}"
        )
    synthetic_path.unlink()


if __name__ == "__main__":
    main()
