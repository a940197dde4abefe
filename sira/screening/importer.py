"""Import of offline submissions (CSV or XLSX exports of the XLSForm from ODK Central or KoboToolbox).

Every row ends in exactly one of: accepted, needs fix (kept in quarantine with row, column and reason)
or duplicate (its submission id is already in Sira, or earlier in the same file). Nothing is dropped,
and importing the same file again changes nothing."""

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import load_workbook

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.cases.rules import age_error
from sira.core.vocab import terms
from sira.geo.models import Cercle, Region
from sira.screening import engine
from sira.screening.models import PROFILE_FIELDS, CatalogueVersion, ImportBatch, QuarantinedRow, Screening
from sira.screening.services import current_catalogue

ID_COLUMNS = ("instanceid", "_uuid", "key")
ANSWER_CODES = {"yes": engine.YES, "no": engine.NO, "unknown": engine.UNKNOWN, "": engine.NOT_ASKED}
CHUNK = 200


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a CSV/XLSX export): nothing is imported."""


def _delimiter(text: str) -> str:
    # Counted on the header line: csv.Sniffer gives up on wide exports (hundreds of columns).
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def read_rows(file_name: str, content: bytes) -> list[dict[str, str]]:
    """Rows as {header: text}; headers keep their export form ("profile/age", "profile-age")."""
    try:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        else:
            text = content.decode("utf-8-sig")
            values = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ImportFileError(_("The file cannot be read as a CSV (UTF-8) or XLSX export.")) from exc
    if not values:
        return []
    header, *body = values
    return [
        dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in body if any(row)
    ]


def field_of(header: str, known: set[str]) -> str:
    """The form field a column holds: group paths are dropped ("profile/age", "profile-age" → "age")."""
    name = header.strip()
    for separator in ("/", "-"):
        if separator in name:
            candidate = name.rsplit(separator, 1)[1]
            if candidate.lower() in known or candidate.lower() in ID_COLUMNS:
                name = candidate
    return name.lower() if name.lower() in known or name.lower() in ID_COLUMNS else name


class RowChecker:
    """Turns one raw row into screening fields, or into a list of (column, code, params) problems."""

    def __init__(self, catalogue_version: CatalogueVersion):
        self.version = catalogue_version
        catalogue = catalogue_version.catalogue
        self.bank = catalogue if getattr(catalogue, "schema", None) == "question_bank" else None
        if self.bank:  # 2026.2 on: one column per question of the bank, urgent ones included
            self.indicators = {q.field_name: q.id for q in self.bank.by_id.values()}
            self.urgent = {}
        else:
            self.indicators = {i.field_name: i.id for i in catalogue.indicators.values()}
            self.urgent = {f["id"].lower().replace("-", "_"): f["id"] for f in catalogue.urgent_flags}
        self.forms = {f["id"] for f in catalogue.forms}
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.cercles = dict(Cercle.objects.values_list("code", "region_id"))
        self._fields: dict[str, str] = {}  # header → form field, worked out once per file
        self.known = {
            *self.indicators,
            *self.urgent,
            *PROFILE_FIELDS,
            "catalogue_version",
        }

    def check(self, raw: dict[str, str]):
        values, columns = {}, {}
        for header, value in raw.items():
            name = self._fields.get(header) or self._fields.setdefault(header, field_of(header, self.known))
            values[name], columns[name] = (value or "").strip(), header
        problems: list[tuple[str, str, dict]] = []

        def problem(name, code, **params):
            problems.append((columns.get(name, name), code, params))

        submission_id = next((values[c] for c in ID_COLUMNS if values.get(c)), "")
        if not submission_id:
            problem("instanceid", "missing_id")
        fields = {"submission_id": submission_id}
        try:
            fields["screened_on"] = dt.date.fromisoformat(values.get("screened_on", "")[:10])
        except ValueError:
            problem("screened_on", "bad_date", value=values.get("screened_on", ""))
        fields["gender"] = values.get("gender", "")
        if fields["gender"] not in terms("gender"):
            problem("gender", "bad_choice", value=fields["gender"])
        age = values.get("age", "")
        if age:
            if not age.isdigit() or age_error(int(age)):
                problem("age", "bad_age", value=age)
            else:
                fields["age"] = int(age)
        for name in ("nationality", "departure_country", "destination_country"):
            code = values.get(name, "").upper()
            if code and code not in countries:
                problem(name, "bad_country", value=code)
            fields[name] = code
        fields["region_id"] = values.get("region", "")
        if fields["region_id"] not in self.regions:
            problem("region", "bad_choice", value=fields["region_id"])
        cercle = values.get("cercle", "")
        if cercle and self.cercles.get(cercle) != fields["region_id"]:
            problem("cercle", "bad_cercle", value=cercle)
        fields["cercle_id"] = cercle or None
        departure_region = values.get("departure_region", "")
        if departure_region and departure_region not in self.regions:
            problem("departure_region", "bad_choice", value=departure_region)
        fields["departure_region_id"] = departure_region or None
        fields["context"] = values.get("context", "")
        if fields["context"] and fields["context"] not in terms("identification_context"):
            problem("context", "bad_choice", value=fields["context"])
        fields["suspected_forms"] = values.get("suspected_forms", "").split()
        for form in fields["suspected_forms"]:
            if form not in self.forms:
                problem("suspected_forms", "bad_choice", value=form)
        answers, urgent = {}, []
        if self.bank:
            for name, qid in self.indicators.items():
                value = values.get(name, "")
                try:
                    answers |= self.bank.normalise({qid: value}) if value else {}
                except ValueError:
                    problem(name, "bad_answer", value=value)
            fields |= {"answers": answers, "urgent": []}
            return fields, problems
        for name, indicator_id in {**self.indicators, **self.urgent}.items():
            code = values.get(name, "").lower()
            if code not in ANSWER_CODES:
                problem(name, "bad_answer", value=values.get(name, ""))
            elif name in self.urgent:
                urgent += [indicator_id] if code == "yes" else []
            elif ANSWER_CODES[code] != engine.NOT_ASKED:
                answers[indicator_id] = ANSWER_CODES[code]
        fields |= {"answers": answers, "urgent": sorted(urgent)}
        return fields, problems


def _row_key(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()


def _version_for(raw: dict, default: CatalogueVersion) -> CatalogueVersion:
    wanted = next((v.strip() for k, v in raw.items() if k.lower().endswith("catalogue_version") and v), "")
    return CatalogueVersion.objects.filter(version=wanted).first() or default if wanted else default


def start_import(*, by, file_name: str, content: bytes, request=None) -> ImportBatch:
    rows = read_rows(file_name, content)
    batch = ImportBatch.objects.create(
        file_name=file_name,
        content=content,
        imported_by=by,
        organisation=by.organisation,
        total_rows=len(rows),
    )
    record(AuditEvent.Action.CREATE, actor=by, request=request, obj=batch, rows=len(rows))
    return batch


@transaction.atomic
def process(batch: ImportBatch, *, limit: int = CHUNK) -> ImportBatch:
    """Process the next `limit` rows; call again until batch.finished_at is set. A chunk commits whole
    with the batch's progress, so an interrupted chunk is simply processed again: no row is lost."""
    rows = read_rows(batch.file_name, bytes(batch.content))
    default_version = current_catalogue()
    checkers: dict[int, RowChecker] = {}
    seen_in_file = {e["submission_id"] for e in batch.report if e["submission_id"]}
    start = batch.processed_rows
    for index in range(start, min(start + limit, len(rows))):
        raw = rows[index]
        version = _version_for(raw, default_version)
        checker = checkers.setdefault(version.pk, RowChecker(version))
        batch.report.append(_import_row(batch, index + 2, raw, checker, seen_in_file))  # row 1 is the header
    batch.processed_rows = min(start + limit, len(rows))
    if batch.processed_rows >= len(rows):
        batch.finished_at = timezone.now()
    batch.save(update_fields=["report", "processed_rows", "finished_at"])
    return batch


def _import_row(batch, row_number, raw, checker, seen_in_file) -> dict:
    fields, problems = checker.check(raw)
    submission_id = fields["submission_id"]
    entry = {"row": row_number, "submission_id": submission_id, "errors": []}
    if problems:
        errors = [{"row": row_number, "column": c, "code": code, "params": p} for c, code, p in problems]
        QuarantinedRow.objects.get_or_create(
            row_key=_row_key(raw),
            defaults={
                "submission_id": submission_id,
                "batch": batch,
                "row_number": row_number,
                "raw": raw,
                "errors": errors,
            },
        )
        return entry | {"status": "needs_fix", "errors": errors}
    if submission_id in seen_in_file or Screening.objects.filter(submission_id=submission_id).exists():
        return entry | {"status": "duplicate"}
    seen_in_file.add(submission_id)
    answers, urgent = fields.pop("answers"), fields.pop("urgent")
    screening = Screening.objects.create(
        catalogue=checker.version,
        organisation=batch.organisation,
        screened_by=batch.imported_by,
        source=Screening.Source.XLSFORM,
        status=Screening.Status.COMPLETE,
        answers=answers,
        urgent=urgent,
        **fields,
    )
    screening.result = engine.score(
        checker.version.catalogue, answers, age=screening.age, forms=screening.suspected_forms, urgent=urgent
    )
    screening.outcome = screening.result["outcome"] or ""
    if screening.result.get("contradictions"):  # to be resolved by the worker on the questions page
        screening.status = Screening.Status.DRAFT
    screening.urgent = screening.result.get("urgent", urgent)
    screening.save(update_fields=["result", "outcome", "status", "urgent"])
    return entry | {"status": "accepted"}
