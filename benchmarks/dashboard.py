"""Dashboard benchmark (issue 13): server time of the national statistics dashboard on PostgreSQL at
national scale, beside DuckDB computing the same aggregates from a Parquet copy of the same data, in
the same run.

Run on a database made by benchmarks/scale.py (`--cases 1000000 --generate-only` keeps it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench_stats \\
      .venv/bin/python benchmarks/dashboard.py [--refresh] [--runs 20]

`--refresh` (re)builds the statistics tables first (manage.py refresh_statistics; its time is printed).
The Parquet copy (one file per table the figures read) is written under /tmp/sira-dashboard-bench/.
The DuckDB side is timed end to end per load: from the Parquet files to every panel's figures (the
statistics-consent rule applied), in process, on all cores. The Sira side is the page itself (Django
test client, in process: every layer query, disclosure control and the template). Talks to 127.0.0.1
only; the database is read, never changed (except the statistics tables with --refresh)."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path("/tmp/sira-dashboard-bench")  # noqa: S108 (a scratch copy of synthetic data)

# ruff: noqa: S608 (SQL from our own table names)

EXPORTS = {
    "cases": """SELECT c.id, c.identification_date, c.age_at_identification AS age, p.gender,
        COALESCE(p.citizenships, '') AS citizenships, c.identification_region_id AS region,
        c.identification_cercle_id AS cercle, c.identification_context AS context,
        o.org_type, c.trafficking_status AS status
        FROM cases_case c JOIN cases_person p ON p.id = c.person_id
        JOIN accounts_organisation o ON o.id = c.organisation_id""",
    "exploitations": "SELECT id, case_id, form, industry FROM cases_exploitation",
    "route": 'SELECT id, case_id, "order", kind, region_id, cercle_id FROM cases_routestop',
    "consents": "SELECT id, case_id, purpose, given, withdrawn_on FROM cases_consent",
    "referrals": "SELECT id, case_id, state, service, region_id, gender, age, sent_at "
    "FROM referrals_referral",
    "screenings": "SELECT id, case_id, status, outcome, determination, region_id, screened_on "
    "FROM screening_screening",
    "investigation_cases": "SELECT investigation_id, case_id FROM justice_investigation_cases",
    "prosecutions": "SELECT id, investigation_id FROM justice_prosecution",
    "charges": "SELECT prosecution_id, outcome FROM justice_charge",
}

AGE_GROUP_SQL = """CASE WHEN age <= 5 THEN '0-5' WHEN age <= 11 THEN '6-11' WHEN age <= 14 THEN '12-14'
  WHEN age <= 17 THEN '15-17' WHEN age <= 24 THEN '18-24' WHEN age <= 34 THEN '25-34'
  WHEN age <= 49 THEN '35-49' WHEN age IS NOT NULL THEN '50+' ELSE '' END"""
AGE_BAND_SQL = """CASE WHEN age <= 8 THEN '0--8' WHEN age <= 17 THEN '9--17' WHEN age <= 20 THEN '18--20'
  WHEN age <= 23 THEN '21--23' WHEN age <= 26 THEN '24--26' WHEN age <= 29 THEN '27--29'
  WHEN age <= 38 THEN '30--38' WHEN age <= 47 THEN '39--47' WHEN age IS NOT NULL THEN '48+' ELSE '' END"""

VICTIMS = f"""
CREATE OR REPLACE TEMP TABLE v AS
WITH latest AS (
  SELECT case_id, arg_max(given AND withdrawn_on IS NULL, id) AS ok
  FROM read_parquet('{{d}}/consents.parquet') WHERE purpose = 'Statistics' GROUP BY case_id),
stops AS (
  SELECT case_id,
    arg_min(region_id, "order") FILTER (WHERE kind = 'Origin') AS origin_region,
    arg_min(region_id, "order") FILTER (WHERE kind = 'Exploitation') AS exploitation_region,
    arg_min(cercle_id, "order") FILTER (WHERE kind = 'Identification') AS ident_cercle
  FROM read_parquet('{{d}}/route.parquet') GROUP BY case_id),
ind AS (SELECT case_id, arg_min(industry, id) AS industry FROM read_parquet('{{d}}/exploitations.parquet')
  WHERE industry <> '' GROUP BY case_id),
inv AS (SELECT DISTINCT case_id FROM read_parquet('{{d}}/investigation_cases.parquet')),
pro AS (SELECT DISTINCT ic.case_id FROM read_parquet('{{d}}/investigation_cases.parquet') ic
  JOIN read_parquet('{{d}}/prosecutions.parquet') p USING (investigation_id)),
con AS (SELECT DISTINCT ic.case_id FROM read_parquet('{{d}}/investigation_cases.parquet') ic
  JOIN read_parquet('{{d}}/prosecutions.parquet') p USING (investigation_id)
  JOIN read_parquet('{{d}}/charges.parquet') ch ON ch.prosecution_id = p.id WHERE ch.outcome = 'convicted'),
ref AS (SELECT case_id, max(CASE state WHEN 'completed' THEN 3 WHEN 'accepted' THEN 2 WHEN 'in_service' THEN 2
  ELSE 1 END) AS stage FROM read_parquet('{{d}}/referrals.parquet') GROUP BY case_id)
SELECT c.id, year(c.identification_date) AS year, c.gender AS sex, {AGE_GROUP_SQL} AS age_group,
  {AGE_BAND_SQL} AS age_band,
  CASE WHEN age < 18 THEN 'child' WHEN age >= 18 THEN 'adult' ELSE '' END AS child,
  substr(c.citizenships, 1, 2) AS nationality, c.region, coalesce(c.cercle, s.ident_cercle, '') AS cercle,
  coalesce(s.origin_region, '') AS origin_region, coalesce(s.exploitation_region, '') AS exploitation_region,
  coalesce(ind.industry, '') AS industry, c.context, c.org_type, c.status,
  CASE ref.stage WHEN 3 THEN 'completed' WHEN 2 THEN 'accepted' WHEN 1 THEN 'referred' ELSE 'none' END
    AS referral_stage,
  CASE WHEN con.case_id IS NOT NULL THEN 'convicted' WHEN pro.case_id IS NOT NULL THEN 'prosecuted'
    WHEN inv.case_id IS NOT NULL THEN 'investigated' ELSE 'none' END AS justice_stage
FROM read_parquet('{{d}}/cases.parquet') c
LEFT JOIN latest l ON l.case_id = c.id
LEFT JOIN stops s ON s.case_id = c.id
LEFT JOIN ind ON ind.case_id = c.id
LEFT JOIN inv ON inv.case_id = c.id LEFT JOIN pro ON pro.case_id = c.id LEFT JOIN con ON con.case_id = c.id
LEFT JOIN ref ON ref.case_id = c.id
WHERE l.ok IS NULL OR l.ok
"""
ONE_WAY = [
    "year", "sex", "age_group", "child", "age_band", "nationality", "industry", "context", "org_type",
    "status", "region", "origin_region", "exploitation_region", "referral_stage", "justice_stage",
]  # fmt: skip
FORMS = """CREATE OR REPLACE TEMP TABLE vf AS SELECT v.id, v.region, coalesce(e.form, '') AS form FROM v
LEFT JOIN read_parquet('{d}/exploitations.parquet') e ON e.case_id = v.id"""


def duckdb_dashboard(con, d: str) -> dict:
    """Every panel of the national dashboard, from the Parquet files."""
    con.execute(VICTIMS.format(d=d))
    con.execute(FORMS.format(d=d))
    out = {"total": con.execute("SELECT count(*) FROM v").fetchone()[0]}
    for dim in ONE_WAY:
        out[dim] = con.execute(f"SELECT {dim}, count(*) FROM v GROUP BY 1").fetchall()
    out["form"] = con.execute("SELECT form, count(DISTINCT id) FROM vf GROUP BY 1").fetchall()
    out["routes"] = con.execute(
        "SELECT origin_region, exploitation_region, count(*) FROM v GROUP BY 1, 2"
    ).fetchall()
    out["form_region"] = con.execute(
        "SELECT form, region, count(DISTINCT id) FROM vf GROUP BY 1, 2"
    ).fetchall()
    statistics_ids = "SELECT id FROM v"
    refs = f"read_parquet('{d}/referrals.parquet')"
    out["referral_service"] = con.execute(
        f"SELECT service, count(*) FROM {refs} WHERE case_id IN ({statistics_ids}) GROUP BY 1"
    ).fetchall()
    out["referral_state"] = con.execute(
        f"SELECT state, count(*) FROM {refs} WHERE case_id IN ({statistics_ids}) GROUP BY 1"
    ).fetchall()
    scr = f"read_parquet('{d}/screenings.parquet')"
    cond = f"status = 'complete' AND (case_id IS NULL OR case_id IN ({statistics_ids}))"
    out["screening_outcome"] = con.execute(
        f"SELECT outcome, count(*) FROM {scr} WHERE {cond} GROUP BY 1"
    ).fetchall()
    out["screening_determination"] = con.execute(
        f"SELECT determination, count(*) FROM {scr} WHERE {cond} GROUP BY 1"
    ).fetchall()
    return out


def export_parquet(connection) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # PostgreSQL type oids → Parquet types (an empty table keeps its column types).
    PG_TYPES = {16: pa.bool_(), 20: pa.int64(), 21: pa.int64(), 23: pa.int64(), 1082: pa.date32(),
                1184: pa.timestamp("us", tz="UTC"), 25: pa.string(), 1043: pa.string()}  # fmt: skip

    OUT.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        for name, sql in EXPORTS.items():
            cursor.execute(sql)
            columns = [c[0] for c in cursor.description]
            types = [PG_TYPES.get(c.type_code, pa.string()) for c in cursor.description]
            rows = cursor.fetchall()
            table = pa.table(
                {col: pa.array([r[i] for r in rows], type=types[i]) for i, col in enumerate(columns)}
            )
            pq.write_table(table, OUT / f"{name}.parquet")
            print(f"  {name:20} {len(rows):>9} rows", flush=True)


def median_ms(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--refresh", action="store_true", help="rebuild the statistics tables first")
    parser.add_argument("--no-export", action="store_true", help="reuse the Parquet files of a previous run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "benchmarks/dashboard.py needs DATABASE_URL=postgres://… (a database made by benchmarks/scale.py)"
        )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sira.settings_test")
    import django

    django.setup()
    import duckdb
    from django.db import connection
    from django.test import Client

    from sira.accounts.models import User
    from sira.cases.models import Case
    from sira.statistics import layer
    from sira.testing.auth import force_login

    print(f"cases: {Case.objects.count()}  (machine shared with other work: figures are indicative)")
    if args.refresh or layer.last_refresh() is None:
        t = time.perf_counter()
        done = layer.refresh()
        print(f"refresh_statistics: {time.perf_counter() - t:.1f} s ({done.facts} facts, {done.cells} cells)")
    else:
        done = layer.last_refresh()
        print(
            f"statistics tables as refreshed at {done.finished_at:%H:%M} in {done.seconds:.1f} s, "
            f"{done.cells} cells"
        )

    user = User.objects.filter(role="national_statistician").first()
    client = Client(HTTP_HOST="localhost")
    force_login(client, user)
    for url in ("/statistics/", "/accounts/dashboard/"):
        assert client.get(url).status_code == 200  # warm: templates, labels
    page_ms, _ = median_ms(lambda: client.get("/statistics/"), args.runs)
    home_ms, _ = median_ms(lambda: client.get("/accounts/dashboard/"), args.runs)
    filtered_ms, _ = median_ms(
        lambda: client.get("/statistics/?year=2025&sex=Feminine"), max(args.runs // 2, 3)
    )
    map_ms, _ = median_ms(lambda: client.get("/statistics/map/?level=cercle"), args.runs)

    if not args.no_export:
        t = time.perf_counter()
        print("Parquet copy:")
        export_parquet(connection)
        print(f"  written in {time.perf_counter() - t:.1f} s to {OUT}")
    con = duckdb.connect()
    figures = duckdb_dashboard(con, str(OUT))  # warm: file metadata
    duck_ms, _ = median_ms(lambda: duckdb_dashboard(con, str(OUT)), args.runs)

    # The same figures on both sides (exact, as a user with record access sees them).
    national = User(role="case_manager", scope="national", is_active=True)
    sira_total = layer.run(layer.Query(), national).total
    sira_sex = {r.key[0]: r.value for r in layer.run(layer.Query(by=("sex",)), national).rows}
    assert sira_total == figures["total"], (sira_total, figures["total"])
    assert sira_sex == {k or "": n for k, n in figures["sex"] if n}, (sira_sex, figures["sex"])

    print(f"\nnational dashboard /statistics/ (22 panels):   median {page_ms:8.1f} ms")
    print(f"home dashboard /accounts/dashboard/:           median {home_ms:8.1f} ms")
    print(f"filtered dashboard (year + sex, fact table):   median {filtered_ms:8.1f} ms")
    print(f"cercle map /statistics/map/?level=cercle:      median {map_ms:8.1f} ms")
    print(f"DuckDB, same panels from Parquet:              median {duck_ms:8.1f} ms")
    print(f"ratio dashboard / DuckDB: {page_ms / duck_ms:.2f}x  (target <= 1)")


if __name__ == "__main__":
    main()
