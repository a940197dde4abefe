"""Synthetic HTCDS files for interop tests (names from a fixed list, all invented)."""

import csv
from pathlib import Path

HEADER = [
    "sira_SourceRecordId",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_AgeAtIdentification",
    "sira_TypeOfExploitation",
    "sira_IdentificationDate",
    "sira_IdentificationRegion",
]


def row(
    n,
    *,
    age=20,
    gender="Feminine",
    citizenship="ML",
    region="ML01",
    date="2024-03-01",
    forms="ForcedLabour",
    first="Awa",
    last="Traoré",
    birth="",
):
    return [f"SRC-{n}", first, last, birth, gender, citizenship, str(age), forms, date, region]


def write(path: Path, rows, header=HEADER, encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
