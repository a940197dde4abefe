"""How the coordination import and figures scale: a national plan of N activities (default 2,000)
imported from a workbook, four reports per activity, then the monitoring figures and the plan page.

Run: .venv/bin/python benchmarks/coordination.py [--activities N]   (BENCH_DATABASE_URL for PostgreSQL)
Figures: seconds to read+import the workbook, reports per second, ms per figure and page, queries."""

import argparse
import datetime as dt
import time

from _django import setup

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sira.testing.auth import force_login as verified_login  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=2000)
    args = parser.parse_args()
    from sira.coordination import figures, importer, services
    from sira.coordination.models import Activity
    from sira.demo import seed

    users = seed.seed_organisations_and_users(seed.load_spec())
    secretariat, officer = users["statisticien"], users["gestionnaire"]
    axes = ["prevention", "protection", "prosecution", "partnership"]
    regions = ["ML01", "ML02", "ML03", "ML04", "ML05", "ML06", "ML07", "ML08", "ML09"]
    today = dt.date(2026, 12, 1)
    rows = {
        "plan": [["PAN-BENCH", "Plan de mesure", 2023, 2027, "", ""]],
        "objectives": [[f"{i}", axes[i % 4], f"Objectif {i}"] for i in range(40)],
        "activities": [
            [
                f"A{i}",
                f"{i % 40}",
                f"Activité {i}",
                ["training", "awareness", "other"][i % 3],
                "ESPOIR",
                "CNCLTP",
                regions[i % 9],
                "",
                dt.date(2023, 1, 1) + dt.timedelta(days=i % 1400),
                dt.date(2023, 3, 1) + dt.timedelta(days=i % 1400),
                1_000_000 + i,
                "state",
                "",
            ]
            for i in range(args.activities)
        ],
        "indicators": [
            [f"I{i}", f"{i}", f"Indicateur {i}", "personnes", 0, 2022, 10, 20, 30, 40, 50] for i in range(40)
        ],
    }
    book = importer.workbook_from_rows(rows, target_years=range(2023, 2028))
    started = time.perf_counter()
    plan = services.import_plan(book, by=secretariat, language="fr")
    print(f"import of {args.activities} activities: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    n = 0
    for a in Activity.objects.filter(objective__plan=plan).select_related("responsible"):
        for k in range(4):
            as_of = min(a.planned_start + dt.timedelta(days=20 * (k + 1)), today)
            data = {
                "as_of": as_of,
                "status": "completed" if k == 3 else "in_progress",
                "actual_start": a.planned_start,
                "actual_end": as_of if k == 3 else None,
                "amount_spent": 100_000 * (k + 1),
                "girls": 5,
                "women": 7,
                "audience_types": ["police"],
                "topics": ["identification"],
                "participants_female": 3,
                "participants_male": 4,
                "channels": ["radio"],
                "radio_languages": ["bm"],
            }
            if a.planned_start > today:
                data = {"as_of": today, "status": "not_started"}
            services.report_activity(a, by=officer, data=data, today=today)
            n += 1
    seconds = time.perf_counter() - started
    print(f"{n} reports through the service: {n / seconds:.0f} reports/s")

    for name, call in (
        ("plan_execution(by axis)", lambda: figures.plan_execution(2025)),
        ("plan_execution(by region)", lambda: figures.plan_execution(2025, by="region")),
        ("alerts", lambda: figures.alerts(plan=plan, as_of=today)),
        ("training_reach", lambda: figures.training_reach(2025)),
        ("awareness_reach", lambda: figures.awareness_reach(2025)),
        ("activities_by_region", lambda: figures.activities_by_region(2025)),
    ):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            ms = (time.perf_counter() - started) * 1000
        print(f"{name}: {ms:.0f} ms, {len(queries)} queries")

    client = Client(HTTP_HOST="127.0.0.1")
    verified_login(client, secretariat)
    for url in (
        f"/coordination/plans/{plan.pk}/",
        "/coordination/",
        "/coordination/map/points.geojson",
        "/coordination/monitoring/?year=2025",
    ):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            ms = (time.perf_counter() - started) * 1000
        print(
            f"GET {url}: {response.status_code}, {ms:.0f} ms, {len(queries)} queries, "
            f"{len(response.content) // 1024} KiB"
        )


if __name__ == "__main__":
    main()
