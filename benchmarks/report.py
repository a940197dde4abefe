"""Annual report benchmark (issue 13): time to build the annual national report PDF on a database of
N synthetic cases (target: at most 10 s at 100,000 cases).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench_report \\
        .venv/bin/python benchmarks/scale.py --cases 100000 --generate-only     # ~1 min, kept
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench_report \\
        .venv/bin/python benchmarks/report.py [--year 2025] [--runs 3] [--no-refresh]

The database is the one scale.py generated and kept (its name must start with sira_bench); it is
migrated (a no-op when current), given assistance and enforcement records for the year (scale.py
makes the registry only; once, in bulk, unless --no-activity), and the statistics layer refreshed
(`layer.refresh()`, timed: the tables the report reads), then the report is built `--runs` times in
each language: the figures (every table, through the layer), the HTML, and the PDF (WeasyPrint).
Prints the median and the worst."""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSISTED_SHARE = 0.4  # of the year's cases: assistance recorded (one or two services)
INVESTIGATIONS = 4000  # over the year and the one before, each linked to a case of the year
PROSECUTED_SHARE = 0.4
CONVICTED_SHARE = 0.5


def add_activity(year: int) -> None:
    """scale.py generates the registry only (cases, forms, routes, consents). The report also counts
    assistance and enforcement: add them for the year, in bulk, marked synthetic, once (BENCH-…)."""
    import random

    from django.db import transaction

    from sira.accounts.models import Organisation, User
    from sira.cases.models import Assistance, Case
    from sira.core.vocab import terms
    from sira.justice.models import Charge, Investigation, LegalArticle, Prosecution, Sentence, Suspect

    if Investigation.objects.filter(reference__startswith="BENCH-").exists():
        print("activity already added")
        return
    rng = random.Random(13)
    t = time.perf_counter()
    case_ids = list(Case.objects.filter(identification_date__year=year).values_list("id", flat=True))
    user = User.objects.order_by("pk").first()
    provider = Organisation.objects.filter(org_type="ShelterServiceProvider").first() or user.organisation
    police = Organisation.objects.filter(org_type="PoliceBrigade").first() or user.organisation
    court = Organisation.objects.filter(org_type="ProsecutionCourt").first() or user.organisation
    services = list(terms("service_type"))
    forms = list(terms("exploitation_form"))
    regions = [f"ML{n:02d}" for n in range(1, 10)]
    article = LegalArticle.objects.order_by("pk").first()
    day = lambda y: dt.date(y, 1, 1) + dt.timedelta(days=rng.randrange(365))  # noqa: E731
    with transaction.atomic():
        assistance = []
        for case_id in rng.sample(case_ids, int(len(case_ids) * ASSISTED_SHARE)):
            for service in rng.sample(services, rng.choice((1, 2))):
                assistance.append(
                    Assistance(
                        case_id=case_id,
                        service=service,
                        provider=provider,
                        given_on=day(year),
                        recorded_by=user,
                    )
                )
        Assistance.objects.bulk_create(assistance, batch_size=5000)
        investigations = Investigation.objects.bulk_create(
            [
                Investigation(
                    reference=f"BENCH-{i}",
                    organisation=police,
                    agency="BPMC",
                    opened_on=day(rng.choice((year - 1, year))),
                    region_id=rng.choice(regions),
                    forms=rng.sample(forms, rng.choice((1, 1, 2))),
                    operation_type="Complaint",
                    opened_by=user,
                    is_synthetic=True,
                )
                for i in range(INVESTIGATIONS)
            ],
            batch_size=2000,
        )
        through = Investigation.cases.through
        through.objects.bulk_create(
            [through(investigation_id=inv.pk, case_id=rng.choice(case_ids)) for inv in investigations],
            batch_size=5000,
        )
        suspects = Suspect.objects.bulk_create(
            [
                Suspect(
                    investigation=inv,
                    gender="Masculine",
                    is_public_official=rng.random() < 0.03,
                    is_synthetic=True,
                )
                for inv in investigations
            ],
            batch_size=2000,
        )
        prosecuted = rng.sample(range(INVESTIGATIONS), int(INVESTIGATIONS * PROSECUTED_SHARE))
        prosecutions = Prosecution.objects.bulk_create(
            [
                Prosecution(
                    investigation=investigations[i],
                    organisation=court,
                    court="HighCourt",
                    opened_on=max(investigations[i].opened_on, dt.date(year, 1, 1)),
                    opened_by=user,
                    is_synthetic=True,
                )
                for i in prosecuted
            ],
            batch_size=2000,
        )
        charges = []
        for pros, i in zip(prosecutions, prosecuted, strict=True):
            convicted = rng.random() < CONVICTED_SHARE
            charges.append(
                Charge(
                    prosecution=pros,
                    suspect=suspects[i],
                    article=article,
                    offence_date=pros.opened_on,
                    outcome="convicted" if convicted else "pending",
                    outcome_date=dt.date(year, 12, 1) if convicted else None,
                )
            )
        charges = Charge.objects.bulk_create(charges, batch_size=2000)
        Sentence.objects.bulk_create(
            [
                Sentence(charge=c, prison_months=rng.choice((6, 24, 60, 120)))
                for c in charges
                if c.outcome == "convicted"
            ],
            batch_size=2000,
        )
    print(
        f"activity added in {time.perf_counter() - t:.1f} s: {len(assistance)} assistance, "
        f"{INVESTIGATIONS} investigations, {len(prosecutions)} prosecutions, {len(charges)} charges"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-refresh", action="store_true", help="use the statistics tables as they are")
    parser.add_argument("--out", default="", help="also write the last French PDF here")
    parser.add_argument("--no-activity", action="store_true", help="do not add assistance and enforcement")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.rsplit("/", 1)[-1].startswith("sira_bench"):
        sys.exit("DATABASE_URL must name a scratch database sira_bench… kept by benchmarks/scale.py --keep")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sira.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from sira.cases.models import Case
    from sira.statistics import annual_report, layer

    call_command("migrate", verbosity=0)
    cases = Case.objects.count()
    in_year = Case.objects.filter(identification_date__year=args.year).count()
    print(f"{cases} cases, {in_year} identified in {args.year}")
    if not args.no_activity:
        add_activity(args.year)
    if not args.no_refresh:
        t = time.perf_counter()
        r = layer.refresh()
        print(f"layer.refresh(): {time.perf_counter() - t:.1f} s ({r.facts} facts, {r.cells} cells)")

    for language in ("fr", "en"):
        figures, html, pdf_times, sizes = [], [], [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with translation.override(language):
                annual_report.context(args.year)
            figures.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            page = annual_report.render_html(args.year, language)
            html.append(time.perf_counter() - t1)
            t2 = time.perf_counter()
            pdf = annual_report.build_pdf(args.year, language)  # figures + HTML + PDF, as the command
            pdf_times.append(time.perf_counter() - t2)
            sizes.append(len(pdf))
        if args.out and language == "fr":
            Path(args.out).write_bytes(pdf)
        print(
            f"[{language}] whole report (figures + HTML + PDF): median {statistics.median(pdf_times):.2f} s, "
            f"worst {max(pdf_times):.2f} s; figures alone {statistics.median(figures):.2f} s; "
            f"figures + HTML {statistics.median(html):.2f} s ({len(page) // 1024} KiB); "
            f"PDF {sizes[-1] // 1024} KiB, {args.runs} runs"
        )
    print("target: at most 10 s")


if __name__ == "__main__":
    main()
