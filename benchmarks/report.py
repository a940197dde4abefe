"""Annual report benchmark (issue 13): time to build the annual national report PDF on a database of
N synthetic cases (target: at most 10 s at 100,000 cases).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench_report \\
        .venv/bin/python benchmarks/scale.py --cases 100000 --generate-only     # ~1 min, kept
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench_report \\
        .venv/bin/python benchmarks/report.py [--year 2025] [--runs 3] [--no-refresh]

The database is the one scale.py generated and kept (its name must start with sira_bench); it is
migrated (a no-op when current) and the statistics layer refreshed (`layer.refresh()`, timed: the
tables the report reads), then the report is built `--runs` times in each language: the figures
(every table, through the layer), the HTML, and the PDF (WeasyPrint). Prints the median and the worst."""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-refresh", action="store_true", help="use the statistics tables as they are")
    parser.add_argument("--out", default="", help="also write the last French PDF here")
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
