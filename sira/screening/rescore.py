"""A comparison of completed screenings under another catalogue version: each is scored again with
the stored profile and answers, and nothing is written back (a screening keeps the version and the
result it was scored with). Used by `manage.py rescore_screenings` and the catalogue admin."""

import csv
from collections import Counter
from dataclasses import dataclass

from sira.core.spreadsheet import safe_cell
from sira.screening import services
from sira.screening.models import CatalogueVersion, Screening
from sira.screening.serializers import answer_problems

NOT_COMPARABLE = "not comparable"
WITHHELD = "withheld (contradictions)"
COLUMNS = ["screening", "old_version", "old_outcome", "new_version", "new_outcome", "changed", "note"]


@dataclass(frozen=True)
class Row:
    screening: int
    old_version: str
    old_outcome: str
    new_version: str
    new_outcome: str
    changed: str  # yes / no; n/a when the answers cannot be read under the new version
    note: str = ""

    @property
    def transition(self) -> str:
        return f"{self.old_outcome} -> {self.new_outcome}"


def compare(target: CatalogueVersion) -> list[Row]:
    """Completed screenings of versions loaded before `target`, re-scored under it, oldest first.
    Answers to questions the new version does not have (2026.1 indicator items under a question
    bank) are never translated by guesswork: such a screening is reported as not comparable."""
    screenings = (
        Screening.objects.filter(status=Screening.Status.COMPLETE, catalogue__loaded_at__lt=target.loaded_at)
        .exclude(catalogue=target)
        .select_related("catalogue")
        .order_by("id")
    )
    catalogue = target.catalogue
    rows = []
    for s in screenings:
        old = {"screening": s.pk, "old_version": s.catalogue.version, "old_outcome": s.outcome}
        problems = answer_problems(catalogue, s.answers)
        if problems:
            rows.append(
                Row(
                    **old,
                    new_version=target.version,
                    new_outcome=NOT_COMPARABLE,
                    changed="n/a",
                    note=f"{len(problems)} answer(s) not readable under {target.version}",
                )
            )
            continue
        result = services.score_only(
            target, age=s.age, forms=s.suspected_forms, answers=s.answers, urgent=s.urgent
        )
        new = result["outcome"] or WITHHELD
        rows.append(
            Row(
                **old,
                new_version=target.version,
                new_outcome=new,
                changed="yes" if new != s.outcome else "no",
            )
        )
    return rows


def transitions(rows: list[Row]) -> Counter:
    return Counter(r.transition for r in rows)


def write_csv(rows: list[Row], out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([safe_cell(getattr(r, c)) for c in COLUMNS])
