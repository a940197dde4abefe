"""Prints how fast and how heavy the main pages are on the demo data set (300 cases by default).

Run: .venv/bin/python benchmarks/case_list.py [--cases N]
Figures: seconds to seed, median ms and queries per page, page size in bytes, peak memory."""

import argparse
import os
import statistics
import time
import tracemalloc

from _django import setup

setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sira.testing.auth import force_login as verified_login  # noqa: E402  (password and second factor)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    started = time.perf_counter()
    call_command("seed_demo", cases=args.cases, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"seed_demo {args.cases} cases: {time.perf_counter() - started:.1f} s")

    from sira.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    verified_login(client, User.objects.get(username="gestionnaire"))
    stat = Client(HTTP_HOST="127.0.0.1")
    verified_login(stat, User.objects.get(username="statisticien"))
    first = User.objects.get(username="gestionnaire").organisation.cases.first().pk
    pages = [
        ("case list", client, "/cases/"),
        ("case list filtered", client, "/cases/?form=ForcedLabour&age_group=15-17"),
        # the name is POSTed; the list that follows carries a token standing for it
        ("name search", client, client.post("/cases/", {"q": "Awa Traore"})["Location"]),
        ("case detail", client, f"/cases/{first}/"),
        ("API list", client, "/api/v1/cases/"),
        ("export CSV", client, "/cases/export.csv"),
        ("national dashboard", stat, "/accounts/dashboard/"),
    ]
    tracemalloc.start()
    for name, who, url in pages:
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = who.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        size = len(b"".join(response.streaming_content) if response.streaming else response.content)
        print(f"{name:20} {statistics.median(times):7.1f} ms  {len(queries):3d} queries  {size:7d} bytes")
    print(f"peak Python memory while serving: {tracemalloc.get_traced_memory()[1] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
